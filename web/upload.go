package web

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"lantern"
	"lantern/report"
)

// Files come with forms as multipart/form-data, read here part by part in
// memory: the standard library's parser writes large files to temporary
// files, where a victim's photograph would sit outside the store.

// Bounds on a multipart form apart from its files.
const (
	maxUploadFields     = 32
	maxUploadFieldBytes = 64 << 10  // one text field; a referral's concern is at most 20,000 bytes
	maxUploadTextBytes  = 256 << 10 // all text fields together
)

// uploadBody is the largest multipart body taken with limits lim.
func uploadBody(lim report.Limits) int64 {
	return int64(lim.MaxFiles)*lim.MaxFileBytes + maxUploadTextBytes + 64<<10
}

// errUploadTooLarge answers a body over the limit.
var errUploadTooLarge = lantern.FieldErrorf("file", "The files together are too large: send fewer or smaller files")

// readMultipart reads a multipart/form-data body: its text fields, and the
// files of every part with a file name (a file input left empty, with no
// name and no content, is skipped). It stops at the first problem, with an
// EINVALID error naming the file or field and the reason, and returns the
// fields read before it, so that a form's CSRF token (its first field) is
// still checked.
func readMultipart(contentType string, body io.Reader, lim report.Limits) (url.Values, []report.Upload, error) {
	fields := url.Values{}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return fields, nil, lantern.FieldErrorf("form", "The form could not be read")
	}
	limited := &io.LimitedReader{R: body, N: uploadBody(lim) + 1}
	tooLarge := func(err error) error {
		var mbe *http.MaxBytesError
		if limited.N <= 0 || errors.As(err, &mbe) {
			return errUploadTooLarge
		}
		return lantern.FieldErrorf("form", "The form could not be read: please try again")
	}
	mr := multipart.NewReader(limited, params["boundary"])
	var files []report.Upload
	text, nfields := 0, 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fields, files, tooLarge(err)
		}
		name := part.FormName()
		if part.FileName() != "" {
			data, err := io.ReadAll(io.LimitReader(part, lim.MaxFileBytes+1))
			if err != nil {
				return fields, files, tooLarge(err)
			}
			fname := uploadName(part.FileName())
			if int64(len(data)) > lim.MaxFileBytes {
				return fields, files, lantern.FieldErrorf("file", "The file %s must be smaller than %d MB", fname, lim.MaxFileBytes>>20)
			}
			if len(files) == lim.MaxFiles {
				return fields, files, lantern.FieldErrorf("file", "Attach %d files or fewer at a time", lim.MaxFiles)
			}
			files = append(files, report.Upload{Name: part.FileName(), Data: data})
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, maxUploadFieldBytes+1))
		if err != nil {
			return fields, files, tooLarge(err)
		}
		if name == "files" && len(b) == 0 {
			continue // a file input with nothing chosen
		}
		if nfields++; nfields > maxUploadFields {
			return fields, files, lantern.FieldErrorf("form", "The form has too many fields")
		}
		text += len(b)
		if len(b) > maxUploadFieldBytes || text > maxUploadTextBytes {
			return fields, files, lantern.FieldErrorf(uploadField(name), "This answer is too long")
		}
		if !utf8.Valid(b) {
			return fields, files, lantern.FieldErrorf(uploadField(name), "This answer contains characters that cannot be read")
		}
		fields.Add(name, strings.ReplaceAll(string(b), "\r\n", "\n"))
	}
	if limited.N <= 0 {
		return fields, files, errUploadTooLarge
	}
	return fields, files, nil
}

// uploadField keeps a field's name for an error only if it is one of the
// referral forms' own, so a message never echoes arbitrary input.
func uploadField(n string) string {
	switch n {
	case "concern", "officer_name", "collar_number", "force", "vehicle", "description", "victim_consent", "safeguarding", "message", "csrf_token":
		return n
	}
	return "form"
}

// uploadName is a file's name as an error message shows it: its last
// element, without control characters, at most 80 bytes.
func uploadName(n string) string {
	if i := strings.LastIndexAny(n, `/\`); i >= 0 {
		n = n[i+1:]
	}
	n = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, strings.ToValidUTF8(n, ""))
	for len(n) > 80 {
		_, size := utf8.DecodeLastRuneInString(n)
		n = n[:len(n)-size]
	}
	if n == "" {
		return "file"
	}
	return n
}

// uploaded is what readUploads found in a request.
type uploaded struct {
	files []report.Upload
	err   error
}

type uploadedKey struct{}

// readUploads reads a multipart request's body in memory, within the
// referral portal's attachment limits, and returns the request with its
// form fields set (so that the CSRF check and the handlers read them as
// for any form) and its files in its context.
func (s *Server) readUploads(w http.ResponseWriter, r *http.Request) *http.Request {
	lim := report.DefaultLimits
	if svc := s.services.Load(); svc != nil && svc.Referrals != nil {
		lim = svc.Referrals.Limits()
	}
	fields, files, err := readMultipart(r.Header.Get("Content-Type"), http.MaxBytesReader(w, r.Body, uploadBody(lim)), lim)
	r.PostForm = fields
	r.Form = url.Values{}
	for k, v := range fields {
		r.Form[k] = append([]string(nil), v...)
	}
	for k, v := range r.URL.Query() {
		r.Form[k] = append(r.Form[k], v...)
	}
	return r.WithContext(context.WithValue(r.Context(), uploadedKey{}, &uploaded{files: files, err: err}))
}

// uploads returns the files sent with a request and the problem that
// stopped reading them, if any.
func uploads(r *http.Request) ([]report.Upload, error) {
	u, _ := r.Context().Value(uploadedKey{}).(*uploaded)
	if u == nil {
		return nil, nil
	}
	return u.files, u.err
}

// isMultipart reports whether r's body is a multipart form.
func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}
