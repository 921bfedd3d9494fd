// Lantern's own start-up script: starts GOV.UK Frontend's components and
// sends the page's CSRF token with every request htmx makes. It is loaded as
// a module from 'self', so the pages need no inline script.
import { initAll } from './vendor/govuk-frontend/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()

const token = document.querySelector('meta[name="csrf-token"]')
document.body.addEventListener('htmx:configRequest', (event) => {
  if (token) {
    event.detail.headers['X-CSRF-Token'] = token.content
  }
})
