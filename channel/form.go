package channel

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"unicode/utf8"

	"lantern"
	"lantern/report"
)

// form is a parsed submission: its text fields and its files, held in
// memory only. The standard library's multipart parser spills large files
// to temporary files on disk, where an attachment would sit in clear, so
// forms are read part by part here instead.
type form struct {
	fields map[string]string
	files  []report.Upload
}

// Bounds on a form apart from its files.
const (
	maxFields     = 32
	maxFieldBytes = lantern.MaxAnswerBytes + 1024
	maxTextBytes  = 256 << 10 // all text fields together
)

// errTooLarge is the answer to a body over the limit.
var errTooLarge = lantern.FieldErrorf("file", "The files together are too large")

// parseForm reads a multipart/form-data or url-encoded body of at most
// maxBody bytes. A file larger than maxFile or beyond maxFiles is refused
// with a message naming it; files with no name and no content (an empty
// file input) are skipped.
func parseForm(contentType string, body io.Reader, maxBody, maxFile int64, maxFiles int) (*form, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, lantern.FieldErrorf("form", "The form could not be read")
	}
	limited := &io.LimitedReader{R: body, N: maxBody + 1}
	f := &form{fields: map[string]string{}}
	switch mt {
	case "application/x-www-form-urlencoded":
		b, err := io.ReadAll(io.LimitReader(limited, maxTextBytes+1))
		if err != nil {
			return nil, readError(err)
		}
		if len(b) > maxTextBytes {
			return nil, lantern.FieldErrorf("form", "The form is too long")
		}
		vals, err := parseQuery(string(b))
		if err != nil {
			return nil, err
		}
		for k, v := range vals {
			f.fields[k] = v
		}
		return f, nil
	case "multipart/form-data":
	default:
		return nil, lantern.FieldErrorf("form", "The form could not be read")
	}
	boundary := params["boundary"]
	if boundary == "" {
		return nil, lantern.FieldErrorf("form", "The form could not be read")
	}
	mr := multipart.NewReader(limited, boundary)
	textBytes := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if limited.N <= 0 {
				return nil, errTooLarge
			}
			return nil, readError(err)
		}
		name := part.FormName()
		if part.FileName() != "" || name == "files" {
			data, err := io.ReadAll(io.LimitReader(part, maxFile+1))
			if err != nil {
				if limited.N <= 0 {
					return nil, errTooLarge
				}
				return nil, readError(err)
			}
			if part.FileName() == "" && len(data) == 0 {
				continue
			}
			if int64(len(data)) > maxFile {
				return nil, lantern.FieldErrorf("file", "The file %s must be smaller than %d MB", cleanFileName(part.FileName()), maxFile>>20)
			}
			if len(f.files) == maxFiles {
				return nil, lantern.FieldErrorf("file", "Attach %d files or fewer", maxFiles)
			}
			f.files = append(f.files, report.Upload{Name: part.FileName(), Data: data})
			continue
		}
		if len(f.fields) >= maxFields {
			return nil, lantern.FieldErrorf("form", "The form has too many fields")
		}
		b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
		if err != nil {
			return nil, readError(err)
		}
		textBytes += len(b)
		if len(b) > maxFieldBytes || textBytes > maxTextBytes {
			return nil, lantern.FieldErrorf(fieldName(name), "This answer is too long")
		}
		if !utf8.Valid(b) {
			return nil, lantern.FieldErrorf(fieldName(name), "This answer contains characters that cannot be read")
		}
		f.fields[name] = normaliseNewlines(string(b))
	}
	if limited.N <= 0 {
		return nil, errTooLarge
	}
	return f, nil
}

// parseQuery parses a url-encoded body, keeping the first value of each
// name, within the same bounds as multipart forms.
func parseQuery(s string) (map[string]string, error) {
	out := map[string]string{}
	for s != "" {
		var kv string
		kv, s, _ = strings.Cut(s, "&")
		k, v, _ := strings.Cut(kv, "=")
		k, err1 := unescape(k)
		v, err2 := unescape(v)
		if err1 != nil || err2 != nil || !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, lantern.FieldErrorf("form", "The form could not be read")
		}
		if _, seen := out[k]; !seen {
			if len(out) >= maxFields {
				return nil, lantern.FieldErrorf("form", "The form has too many fields")
			}
			out[k] = normaliseNewlines(v)
		}
	}
	return out, nil
}

func unescape(s string) (string, error) {
	return queryUnescape(strings.ReplaceAll(s, "+", " "))
}

func normaliseNewlines(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// fieldName keeps a form field's name for an error only if it is one of
// the form's own, so a message never echoes arbitrary input.
func fieldName(n string) string {
	switch n {
	case "kind", "name", "contact", "who", "what", "when", "where", "position", "others", "answer", "receipt", "token":
		return n
	}
	return "form"
}

func cleanFileName(n string) string {
	n = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, n)
	if i := strings.LastIndexAny(n, `/\`); i >= 0 {
		n = n[i+1:]
	}
	if len(n) > 80 {
		n = n[:80]
	}
	if n == "" {
		return "file"
	}
	return strings.ToValidUTF8(n, "")
}

func readError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge
	}
	return lantern.FieldErrorf("form", "The form could not be read: please try again")
}
