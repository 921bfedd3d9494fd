package web

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"lantern"
	"lantern/report"
)

// upload is one file part of a multipart form.
type upload struct {
	name string
	data []byte
}

// multipartBody encodes fields (in order, as name, value pairs) and files
// as a browser sends a form with enctype multipart/form-data.
func multipartBody(t testing.TB, fields []string, files ...upload) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		if err := mw.WriteField(fields[i], fields[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile("files", f.name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(f.data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), buf.Bytes()
}

// postMultipart sends a multipart form.
func (c *client) postMultipart(path string, fields []string, files ...upload) reply {
	c.e.t.Helper()
	ct, body := multipartBody(c.e.t, fields, files...)
	req, err := http.NewRequest("POST", c.e.http.URL+path, bytes.NewReader(body))
	if err != nil {
		c.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	res, err := c.c.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return reply{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

// jpegWithComment is a JPEG carrying a COM segment, one of the places
// cameras and editors leave text.
func jpegWithComment(t testing.TB, text string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 6))
	img.Set(2, 2, color.RGBA{10, 200, 10, 255})
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	seg := []byte{0xFF, 0xFE, byte((len(text) + 2) >> 8), byte(len(text) + 2)}
	seg = append(seg, text...)
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

var fileLink = regexp.MustCompile(`href="(/referrals/\d+/files/\d+)"`)

// TestReferralFilesThroughThePages has a partner attach files to a
// referral: a refused file names itself and the reason and sends nothing;
// accepted files show on both sides; the partner downloads their own
// original, the unit both copies, the sanitised one without the comment;
// another organisation is answered as for a missing referral; every
// download is on the audit trail.
func TestReferralFilesThroughThePages(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	rose := e.signIn(e.addPartner("rose", "refuge-north"))
	wendy := e.signIn(e.addPartner("wendy", "womens-aid-south"))
	ann := e.signIn(e.addUser("ann", lantern.UserAnalyst, "S9"))
	photo := jpegWithComment(t, "Taken at 12 Mill Lane by Rose")
	form := func(tok string) []string {
		return []string{"csrf_token", tok, "concern", "PC Jones keeps calling at her flat.", "officer_name", "Brian Jones", "collar_number", "1234",
			"victim_consent", "given", "safeguarding", "needed"}
	}

	for _, tc := range []struct {
		file upload
		want string
	}{
		{upload{"script.sh", []byte("\x7fELF\x02\x01\x01\x00binary")}, "The file script.sh must be one of: JPEG or PNG pictures"},
		{upload{"cut.jpg", photo[:30]}, "The file cut.jpg is not a picture that can be read"},
		{upload{"big.txt", bytes.Repeat([]byte("a"), int(report.DefaultLimits.MaxFileBytes)+1)}, "The file big.txt must be smaller than 10 MB"},
	} {
		r := rose.postMultipart("/referrals/new", form(rose.token("/referrals/new")), tc.file)
		if r.Status != 400 || !strings.Contains(r.Body, tc.want) || !strings.Contains(r.Body, "PC Jones keeps calling") {
			t.Errorf("%s: %d %.300s", tc.file.name, r.Status, r.Body)
		}
	}
	if list, n, _ := e.store.FindReferrals(ctx, lantern.ReferralFilter{}); n != 0 {
		t.Fatalf("a refused referral was kept: %+v", list)
	}
	tooMany := make([]upload, report.DefaultLimits.MaxFiles+1)
	for i := range tooMany {
		tooMany[i] = upload{"n.txt", []byte("x")}
	}
	if r := rose.postMultipart("/referrals/new", form(rose.token("/referrals/new")), tooMany...); r.Status != 400 || !strings.Contains(r.Body, "Attach 5 files or fewer") {
		t.Errorf("too many files: %d", r.Status)
	}
	// Without the CSRF token a multipart form is refused like any other.
	if r := rose.postMultipart("/referrals/new", form("forged")[2:], upload{"a.txt", []byte("x")}); r.Status != 403 {
		t.Errorf("no CSRF token: %d", r.Status)
	}

	r := rose.postMultipart("/referrals/new", form(rose.token("/referrals/new")), upload{"flat.jpg", photo}, upload{"", nil})
	if r.Status != 303 {
		t.Fatalf("submit: %d %.500s", r.Status, r.Body)
	}
	page := r.Header.Get("Location")
	page = page[:strings.Index(page, "?")]
	b := rose.get(page).Body
	m := fileLink.FindStringSubmatch(b)
	if m == nil || !strings.Contains(b, "flat.jpg") {
		t.Fatalf("the partner's page lacks the file: %.3000s", b)
	}
	if got := rose.get(m[1]); got.Status != 200 || got.Body != string(photo) || !strings.Contains(got.Header.Get("Content-Disposition"), "flat.jpg") {
		t.Errorf("partner's download: %d %q", got.Status, got.Header.Get("Content-Disposition"))
	}
	// More files while the referral is open.
	if r := rose.postMultipart(page+"/files", []string{"csrf_token", rose.token(page)}, upload{"bad.gif", []byte("GIF89a....")}); r.Status != 400 || !strings.Contains(r.Body, "bad.gif must be one of") {
		t.Errorf("a refused extra file: %d %.300s", r.Status, r.Body)
	}
	if r := rose.postMultipart(page+"/files", []string{"csrf_token", rose.token(page)}, upload{"notes.txt", []byte("Dates he called: 3, 5 and 9 May.")}); r.Status != 303 {
		t.Fatalf("extra file: %d %.300s", r.Status, r.Body)
	}

	// Another organisation: the same 404 as for a missing referral.
	other, missing := wendy.get(m[1]), wendy.get("/referrals/999999/files/1")
	if other.Status != 404 || missing.Status != 404 || other.Body != missing.Body {
		t.Errorf("another organisation's download: %d, missing %d", other.Status, missing.Status)
	}
	if r := wendy.postMultipart(page+"/files", []string{"csrf_token", wendy.token("/referrals")}, upload{"x.txt", []byte("x")}); r.Status != 404 {
		t.Errorf("another organisation adding a file: %d", r.Status)
	}

	// The unit sees both files and has both copies.
	upage := strings.Replace(page, "/referrals/", "/partner-referrals/", 1)
	ub := ann.get(upage).Body
	links := regexp.MustCompile(`href="(/partner-referrals/\d+/files/\d+/(original|sanitised))"`).FindAllStringSubmatch(ub, -1)
	if len(links) != 4 || !strings.Contains(ub, "notes.txt") || !strings.Contains(ub, "flat.jpg") {
		t.Fatalf("the unit's page: %d links %.3000s", len(links), ub)
	}
	orig, clean := ann.get(links[0][1]), ann.get(links[1][1])
	if orig.Body != string(photo) || !strings.Contains(orig.Body, "12 Mill Lane") {
		t.Error("the unit's original differs from the file sent")
	}
	if clean.Status != 200 || strings.Contains(clean.Body, "12 Mill Lane") || !bytes.HasPrefix([]byte(clean.Body), []byte{0xFF, 0xD8}) {
		t.Errorf("the sanitised copy: %d, keeps the comment or is not a JPEG", clean.Status)
	}
	if r := rose.get(strings.Replace(links[1][1], "/partner-referrals/", "/referrals/", 1)); r.Status != 404 {
		t.Errorf("a partner asking for the unit's path shape: %d", r.Status)
	}
	if r := rose.get(links[1][1]); r.Status != 403 {
		t.Errorf("a partner on the unit's download: %d", r.Status)
	}

	entries, err := e.store.AuditEntries(ctx, lantern.AuditQuery{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, en := range entries {
		if strings.HasPrefix(en.Action, "referral.attach") {
			count[en.Action+" "+en.Outcome]++
		}
		if strings.Contains(en.Detail, "Mill Lane") || strings.Contains(en.Detail, "flat.jpg") {
			t.Errorf("audit entry holds content: %+v", en)
		}
	}
	if count["referral.attachment.original allowed"] != 2 || count["referral.attachment.sanitised allowed"] != 1 || count["referral.attach allowed"] != 2 {
		t.Errorf("audit: %v", count)
	}
}

// FuzzReadMultipart feeds the referral forms' multipart reader arbitrary
// bodies: it never panics, never returns more files than allowed or a file
// over the limit, and a body it accepts carries only valid UTF-8 text.
func FuzzReadMultipart(f *testing.F) {
	lim := report.Limits{MaxFileBytes: 64, MaxFiles: 2, MaxPixels: 1000}
	ct, body := multipartBody(f, []string{"csrf_token", "t", "concern", "He called."}, upload{"a.txt", []byte("hello")})
	f.Add(ct, body)
	f.Add(ct, body[:len(body)/2])
	_, body = multipartBody(f, nil, upload{"a.txt", []byte("1")}, upload{"b.txt", []byte("2")}, upload{"c.txt", []byte("3")})
	f.Add(ct, body)
	_, body = multipartBody(f, []string{"concern", "\xff\xfe"}, upload{"big.bin", bytes.Repeat([]byte("z"), 100)})
	f.Add(ct, body)
	f.Add("multipart/form-data", []byte("--x\r\n"))
	f.Add("text/plain", []byte("concern=x"))
	f.Add(`multipart/form-data; boundary="b"`, []byte("--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"../../etc/p\x00w\"\r\n\r\nabc\r\n--b--\r\n"))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		fields, files, err := readMultipart(ct, bytes.NewReader(body), lim)
		if fields == nil {
			t.Fatal("nil fields")
		}
		if len(files) > lim.MaxFiles {
			t.Fatalf("%d files", len(files))
		}
		for _, fl := range files {
			if int64(len(fl.Data)) > lim.MaxFileBytes {
				t.Fatalf("file of %d bytes", len(fl.Data))
			}
		}
		if err != nil {
			if lantern.ErrorCode(err) != lantern.EINVALID || lantern.ErrorField(err) == "" {
				t.Fatalf("error %v is not EINVALID on a field", err)
			}
			return
		}
		for k, vs := range fields {
			for _, v := range vs {
				if !utf8.ValidString(v) || strings.Contains(v, "\r\n") {
					t.Fatalf("field %q = %q", k, v)
				}
			}
		}
	})
}

func TestReadMultipart(t *testing.T) {
	lim := report.Limits{MaxFileBytes: 10, MaxFiles: 2, MaxPixels: 1000}
	many := []string{}
	for i := range maxUploadFields + 1 {
		many = append(many, "f"+strconv.Itoa(i), "v")
	}
	for _, tc := range []struct {
		name   string
		fields []string
		files  []upload
		field  string // of the error; "" for none
		want   string
	}{
		{"fields and files", []string{"csrf_token", "t", "concern", "a\r\nb"}, []upload{{"a.txt", []byte("1")}, {"b.txt", []byte("2")}}, "", ""},
		{"empty file input", []string{"concern", "c"}, []upload{{"", nil}}, "", ""},
		{"file too large", nil, []upload{{`C:\docs\big.txt`, bytes.Repeat([]byte("x"), 11)}}, "file", "The file big.txt must be smaller than 0 MB"},
		{"too many files", nil, []upload{{"a", []byte("1")}, {"b", []byte("2")}, {"c", []byte("3")}}, "file", "Attach 2 files or fewer at a time"},
		{"unreadable text", []string{"concern", "\xff"}, nil, "concern", "cannot be read"},
		{"unknown field's name not echoed", []string{"<script>", strings.Repeat("x", maxUploadFieldBytes+1)}, nil, "form", "too long"},
		{"too many fields", many, nil, "form", "too many fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct, body := multipartBody(t, tc.fields, tc.files...)
			fields, files, err := readMultipart(ct, bytes.NewReader(body), lim)
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if tc.fields != nil && fields.Get(tc.fields[0]) != strings.ReplaceAll(tc.fields[1], "\r\n", "\n") || fields.Has("files") {
					t.Errorf("fields %v", fields)
				}
				if n := len(tc.files); tc.files[0].name == "" && len(files) != 0 || tc.files[0].name != "" && len(files) != n {
					t.Errorf("files %d", len(files))
				}
				return
			}
			if lantern.ErrorField(err) != tc.field || !strings.Contains(lantern.ErrorMessage(err), tc.want) {
				t.Errorf("error %q on %q, want %q on %q", lantern.ErrorMessage(err), lantern.ErrorField(err), tc.want, tc.field)
			}
		})
	}
	// A body larger than every file and field together is refused as such.
	big := bytes.Repeat([]byte("x"), int(uploadBody(lim))+10)
	ct, body := multipartBody(t, []string{"csrf_token", "t", "concern", string(big)})
	fields, _, err := readMultipart(ct, bytes.NewReader(body), lim)
	if lantern.ErrorCode(err) != lantern.EINVALID || fields.Get("csrf_token") != "t" {
		t.Errorf("too large: %v, fields %v", err, fields)
	}
}
