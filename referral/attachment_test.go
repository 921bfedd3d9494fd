package referral

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"lantern"
	"lantern/report"
)

// pngWithComment is a small PNG carrying a tEXt chunk, as editors add
// authors and places.
func pngWithComment(t *testing.T, text string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	const ihdrEnd = 8 + 25
	data := []byte("Comment\x00" + text)
	chunk := []byte{0, 0, 0, byte(len(data))}
	chunk = append(append(chunk, "tEXt"...), data...)
	crc := crc32IEEE(chunk[4:])
	chunk = append(chunk, byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc))
	return append(append(append([]byte{}, b[:ihdrEnd]...), chunk...), b[ihdrEnd:]...)
}

func crc32IEEE(b []byte) uint32 {
	crc := ^uint32(0)
	for _, c := range b {
		crc ^= uint32(c)
		for range 8 {
			if crc&1 == 1 {
				crc = crc>>1 ^ 0xedb88320
			} else {
				crc >>= 1
			}
		}
	}
	return ^crc
}

// TestReferralFiles checks that files sent with a referral are checked as a
// report's are, kept as original and sanitised copy, and handed out only to
// the organisation that sent them (originals) and to the unit (both
// copies), every download on the audit trail.
func TestReferralFiles(t *testing.T) {
	s, audit := setup(t)
	pic := pngWithComment(t, "Author: Pat at Refuge North, 12 High Street")
	letter := []byte("%PDF-1.4\n1 0 obj << /Author (Pat) >> endobj\n%%EOF\n")

	// A bad file refuses the whole referral, naming the file and the
	// reason, and stores nothing.
	for _, tc := range []struct {
		name string
		file report.Upload
		want string
	}{
		{"wrong type", report.Upload{Name: "run.exe", Data: []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00")}, "run.exe must be one of"},
		{"malformed", report.Upload{Name: "broken.png", Data: pic[:40]}, "broken.png is not a picture"},
		{"empty", report.Upload{Name: "nothing.txt"}, "nothing.txt is empty"},
		{"oversize", report.Upload{Name: "huge.txt", Data: bytes.Repeat([]byte("a"), int(report.DefaultLimits.MaxFileBytes)+1)}, "huge.txt must be smaller than 10 MB"},
	} {
		_, err := s.Submit(partner(t, "pat"), referral(), tc.file)
		wantCode(t, err, lantern.EINVALID)
		if lantern.ErrorField(err) != "file" || !strings.Contains(lantern.ErrorMessage(err), tc.want) {
			t.Errorf("%s: %q", tc.name, lantern.ErrorMessage(err))
		}
	}
	if list, _, _ := s.List(analyst(t), lantern.ReferralFilter{}); len(list) != 0 {
		t.Fatalf("a refused referral was stored: %+v", list)
	}

	r, err := s.Submit(partner(t, "pat"), referral(), report.Upload{Name: `C:\Users\pat\photo.png`, Data: pic}, report.Upload{Name: "letter.pdf", Data: letter})
	must(t, err)
	files, err := s.Files(partner(t, "pam"), r.ID)
	must(t, err)
	if len(files) != 2 || files[0].Name != "photo.png" || files[0].ContentType != "image/png" || files[1].NotSanitised == "" || files[1].SanitisedSHA256 != "" {
		t.Fatalf("files: %+v", files)
	}
	// The unit has both copies of the picture: the original as sent, and
	// a copy without the comment, linked by their hashes.
	a, orig, err := s.File(analyst(t), r.ID, files[0].ID, false)
	must(t, err)
	if !bytes.Equal(orig, pic) || a.SHA256 != files[0].SHA256 {
		t.Error("the unit's original is not the file sent")
	}
	_, clean, err := s.File(analyst(t), r.ID, files[0].ID, true)
	must(t, err)
	if bytes.Contains(clean, []byte("Refuge North")) || !bytes.Contains(orig, []byte("Refuge North")) || int64(len(clean)) != a.SanitisedSize {
		t.Error("the sanitised copy keeps the comment")
	}
	_, _, err = s.File(analyst(t), r.ID, files[1].ID, true)
	wantCode(t, err, lantern.ENOTFOUND)
	// A colleague at the same organisation has the original; not the
	// sanitised copy, which is the unit's.
	_, got, err := s.File(partner(t, "pam"), r.ID, files[1].ID, false)
	must(t, err)
	if !bytes.Equal(got, letter) {
		t.Error("the partner's original differs")
	}
	_, _, err = s.File(partner(t, "pam"), r.ID, files[0].ID, true)
	wantCode(t, err, lantern.ENOTFOUND)

	// Another organisation is answered as if the referral did not exist,
	// and a file is only found through its own referral.
	_, _, errOther := s.File(partner(t, "sam"), r.ID, files[0].ID, false)
	_, _, errMissing := s.File(partner(t, "sam"), 99999, files[0].ID, false)
	wantCode(t, errOther, lantern.ENOTFOUND)
	if lantern.ErrorMessage(errOther) != lantern.ErrorMessage(errMissing) {
		t.Errorf("another's: %q, missing: %q", lantern.ErrorMessage(errOther), lantern.ErrorMessage(errMissing))
	}
	_, err = s.Files(partner(t, "sam"), r.ID)
	wantCode(t, err, lantern.ENOTFOUND)
	_, err = s.AddFiles(partner(t, "sam"), r.ID, []report.Upload{{Name: "a.txt", Data: []byte("x")}})
	wantCode(t, err, lantern.ENOTFOUND)
	own, err := s.Submit(partner(t, "sam"), referral())
	must(t, err)
	_, _, err = s.File(analyst(t), own.ID, files[0].ID, false)
	wantCode(t, err, lantern.ENOTFOUND)

	// More files while the referral is open; none once it is closed.
	added, err := s.AddFiles(partner(t, "pam"), r.ID, []report.Upload{{Name: "note.txt", Data: []byte("She has kept his messages.")}})
	must(t, err)
	if len(added) != 1 || added[0].By != "pam" || added[0].SanitisedType != "text/plain" {
		t.Fatalf("added: %+v", added)
	}
	_, err = s.AddFiles(analyst(t), r.ID, []report.Upload{{Name: "a.txt", Data: []byte("x")}})
	wantCode(t, err, lantern.EFORBIDDEN)
	_, err = s.SetStatus(partner(t, "pat"), r.ID, lantern.ReferralWithdrawn, "")
	must(t, err)
	_, err = s.AddFiles(partner(t, "pat"), r.ID, []report.Upload{{Name: "a.txt", Data: []byte("x")}})
	wantCode(t, err, lantern.ECONFLICT)

	if audit.count("referral.attachment.original", lantern.AuditAllowed) != 2 || audit.count("referral.attachment.sanitised", lantern.AuditAllowed) != 1 ||
		audit.count("referral.attachment.sanitised", lantern.AuditDenied) != 1 || audit.count("referral.attach", lantern.AuditAllowed) != 2 {
		t.Errorf("audit: %+v", audit.entries)
	}
}
