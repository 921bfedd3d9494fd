package web

import (
	"encoding/json"
	"net/http"
	"strings"

	"lantern"
)

// statusOf maps Lantern error codes to HTTP status codes.
var statusOf = map[string]int{
	lantern.ECONFLICT:       http.StatusConflict,
	lantern.EINVALID:        http.StatusBadRequest,
	lantern.ENOTFOUND:       http.StatusNotFound,
	lantern.EUNAUTHORIZED:   http.StatusUnauthorized,
	lantern.EFORBIDDEN:      http.StatusForbidden,
	lantern.EUNAVAILABLE:    http.StatusServiceUnavailable,
	lantern.ENOTIMPLEMENTED: http.StatusNotImplemented,
	lantern.EINTERNAL:       http.StatusInternalServerError,
}

// ErrorStatus returns the HTTP status for err's Lantern error code.
func ErrorStatus(err error) int {
	if s, ok := statusOf[lantern.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// errorBody is the JSON shape of every API error.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

// wantsJSON reports whether the caller should get a JSON error rather than an
// HTML page: API routes always do, and so does a client that asks for JSON.
func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") ||
		strings.Contains(r.Header.Get("Accept"), "application/json")
}

// Error writes err to the client as JSON for the API or as an HTML page for
// people, with the status that its code maps to. Only internal errors are
// logged, since the others are the caller's to act on; their messages never
// reach the client.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	code, status := lantern.ErrorCode(err), ErrorStatus(err)
	if code == lantern.EINTERNAL {
		s.logger.Error("http request failed", "method", r.Method, "route", r.Pattern, "error", err)
	}
	if wantsJSON(r) {
		var body errorBody
		body.Error.Code = code
		body.Error.Message = lantern.ErrorMessage(err)
		body.Error.Field = lantern.ErrorField(err)
		writeJSON(w, status, body)
		return
	}
	var who *lantern.Principal
	if p, ok := lantern.PrincipalFrom(r.Context()); ok {
		who = &p
	}
	data := s.newPage(r, who, errorTitle(status), map[string]any{"Status": status, "Message": lantern.ErrorMessage(err)})
	if isHTMX(r) {
		// An htmx request swapped only part of a page: show the error in
		// place of the page's main content instead.
		w.Header().Set("HX-Retarget", "#main-content")
		w.Header().Set("HX-Reswap", "innerHTML")
		s.renderBlock(w, status, "error.html", "content", data)
		return
	}
	s.render(w, status, "error.html", data)
}

// writeJSON writes v as a JSON response with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v) // the client may have gone; nothing useful to do
}

// notFound renders ENOTFOUND for any path no route claims.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.Error(w, r, lantern.Errorf(lantern.ENOTFOUND, "There is no page at this address."))
}

// errorTitle is the heading of an error page.
func errorTitle(status int) string {
	switch status {
	case http.StatusNotFound:
		return "Page not found"
	case http.StatusForbidden:
		return "You cannot see this"
	case http.StatusUnauthorized:
		return "Sign in to continue"
	case http.StatusServiceUnavailable:
		return "Sorry, the service is unavailable"
	case http.StatusInternalServerError:
		return "Sorry, there is a problem with the service"
	}
	return http.StatusText(status)
}
