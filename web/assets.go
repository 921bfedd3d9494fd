package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"lantern"
)

// assetFS holds Lantern's own script and styles and the vendored front-end
// packages that scripts/fetch-assets writes (see assets/vendor/SHA256SUMS).
//
//go:embed assets
var assetFS embed.FS

// assets serves the embedded static files under /assets/. A request whose
// ?v= names the file's content hash, as the pages' links do, may be cached
// for a year; any other for an hour.
type assets struct {
	files  fs.FS
	hashes map[string]string // path under assets/ -> first 12 hex digits of its SHA-256
}

func newAssets() (*assets, error) {
	sub, err := fs.Sub(assetFS, "assets")
	if err != nil {
		return nil, err
	}
	a := &assets{files: sub, hashes: map[string]string{}}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.hashes[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	return a, err
}

// url returns the address of the asset at p (relative to assets/) with its
// content hash, for templates. It panics on an asset that is not embedded,
// which parsing the templates at start-up turns into a failed start.
func (a *assets) url(p string) string {
	h, ok := a.hashes[p]
	if !ok {
		panic("web: no embedded asset " + p)
	}
	return "/assets/" + p + "?v=" + h
}

// ServeHTTP answers GET /assets/{path...}.
func (a *assets) serve(s *Server) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := r.PathValue("path")
		h, ok := a.hashes[p]
		if !ok || strings.HasSuffix(p, "SHA256SUMS") {
			s.Error(w, r, lantern.Errorf(lantern.ENOTFOUND, "There is no file at this address."))
			return
		}
		b, err := fs.ReadFile(a.files, p)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		ctype := mime.TypeByExtension(path.Ext(p))
		if ctype == "" || path.Ext(p) == ".js" {
			ctype = map[string]string{".js": "text/javascript; charset=utf-8"}[path.Ext(p)]
		}
		if ctype == "" {
			ctype = "text/plain; charset=utf-8"
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("ETag", `"`+h+`"`)
		if r.URL.Query().Get("v") == h {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		}
		if r.Header.Get("If-None-Match") == `"`+h+`"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		_, _ = w.Write(b)
	}
}
