package report

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"lantern"
)

func picture() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 8, 6))
	for x := range 8 {
		img.Set(x, x%6, color.RGBA{200, 10, 10, 255})
	}
	return img
}

// pngWithText returns a PNG carrying a tEXt chunk key=value, as cameras
// and editors add authors, software and places.
func pngWithText(t testing.TB, k, v string) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, picture()); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	data := []byte(k + "\x00" + v)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, "tEXt"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	const ihdrEnd = 8 + 25 // signature, then IHDR of 13 bytes with length, type and CRC
	return append(append(append([]byte{}, b[:ihdrEnd]...), chunk...), b[ihdrEnd:]...)
}

// jpegWithEXIF returns a JPEG carrying an APP1 Exif segment with text.
func jpegWithEXIF(t testing.TB, text string) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, picture(), nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	payload := append([]byte("Exif\x00\x00"), text...)
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(payload)+2))
	seg = append(seg, payload...)
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

func TestPrepareStripsMetadata(t *testing.T) {
	for _, tc := range []struct {
		name, typ string
		data      []byte
	}{
		{"photo.png", typePNG, pngWithText(t, "GPS", "51.5007N 0.1246W")},
		{"photo.jpg", typeJPEG, jpegWithEXIF(t, "GPS 51.5007N 0.1246W")},
	} {
		p, err := prepare(Upload{Name: "C:\\Users\\me\\" + tc.name, Data: tc.data}, DefaultLimits)
		must(t, err)
		if !bytes.Contains(p.original, []byte("51.5007N")) {
			t.Fatalf("%s: the test file lacks its metadata", tc.name)
		}
		if bytes.Contains(p.sanitised, []byte("51.5007N")) || bytes.Contains(p.sanitised, []byte("Exif")) {
			t.Errorf("%s: sanitised copy keeps the metadata", tc.name)
		}
		if p.meta.Name != tc.name || p.meta.ContentType != tc.typ || p.meta.SanitisedType != tc.typ {
			t.Errorf("%s: meta %+v", tc.name, p.meta)
		}
		if len(p.meta.SHA256) != 64 || len(p.meta.SanitisedSHA256) != 64 || p.meta.SHA256 == p.meta.SanitisedSHA256 {
			t.Errorf("%s: hashes %q %q", tc.name, p.meta.SHA256, p.meta.SanitisedSHA256)
		}
		if _, _, err := image.Decode(bytes.NewReader(p.sanitised)); err != nil {
			t.Errorf("%s: sanitised copy does not decode: %v", tc.name, err)
		}
	}
}

func TestPrepareOtherTypes(t *testing.T) {
	pdf := []byte("%PDF-1.7\n1 0 obj << /Author (Someone) >> endobj\n%%EOF\n")
	p, err := prepare(Upload{Name: "statement.pdf", Data: pdf}, DefaultLimits)
	must(t, err)
	if p.sanitised != nil || p.meta.NotSanitised == "" || p.meta.ContentType != typePDF {
		t.Errorf("pdf: %+v", p.meta)
	}
	p, err = prepare(Upload{Name: "notes.txt", Data: []byte("He said he would find me.\n")}, DefaultLimits)
	must(t, err)
	if p.meta.ContentType != typeText || !bytes.Equal(p.sanitised, p.original) {
		t.Errorf("text: %+v", p.meta)
	}
}

func TestPrepareRefuses(t *testing.T) {
	small := Limits{MaxFileBytes: 1 << 20, MaxFiles: 2, MaxPixels: 100}
	var big bytes.Buffer
	png.Encode(&big, image.NewGray(image.Rect(0, 0, 20, 20)))
	pngHeader := pngWithText(t, "a", "b")[:40]
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty.txt", nil, "is empty"},
		{"big.txt", bytes.Repeat([]byte("a"), 1<<20+1), "smaller than 1 MB"},
		{"tool.exe", append([]byte("MZ\x90\x00"), make([]byte, 100)...), "must be one of"},
		{"archive.zip", append([]byte("PK\x03\x04"), make([]byte, 100)...), "must be one of"},
		{"picture.png.txt", pngHeader, "not a picture that can be read"},
		{"huge.png", big.Bytes(), "more than 0 million pixels"},
		{"bad.txt", []byte("abc\xff\xfe def"), ""},
	} {
		_, err := prepare(Upload{Name: tc.name, Data: tc.data}, small)
		if tc.want == "" {
			// Invalid UTF-8 sniffs as binary: refused either way.
			if err == nil {
				t.Errorf("%s accepted", tc.name)
			}
			continue
		}
		wantCode(t, err, lantern.EINVALID)
		if msg := lantern.ErrorMessage(err); !strings.Contains(msg, tc.want) || !strings.Contains(msg, tc.name) {
			t.Errorf("%s: message %q, want it to contain %q and the name", tc.name, msg, tc.want)
		}
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"../../etc/passwd":       "passwd",
		`C:\Users\x\photo.jpg`:   "photo.jpg",
		"a\x00b\nc.png":          "abc.png",
		"":                       "file",
		strings.Repeat("é", 300): strings.Repeat("é", 100),
	} {
		if got := cleanName(in); got != want {
			t.Errorf("cleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzPrepare(f *testing.F) {
	f.Add("a.png", pngWithText(f, "k", "v"))
	f.Add("a.jpg", jpegWithEXIF(f, "x"))
	f.Add("a.pdf", []byte("%PDF-1.4 x"))
	f.Add("a.txt", []byte("hello"))
	f.Add("a.gif", []byte("GIF89a"))
	lim := Limits{MaxFileBytes: 1 << 20, MaxFiles: 1, MaxPixels: 1 << 20}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		p, err := prepare(Upload{Name: name, Data: data}, lim)
		if err != nil {
			if lantern.ErrorCode(err) != lantern.EINVALID || lantern.ErrorField(err) != "file" {
				t.Fatalf("refusal is not EINVALID on file: %v", err)
			}
			return
		}
		if !bytes.Equal(p.original, data) || p.meta.Size != int64(len(data)) {
			t.Fatalf("original not kept as sent")
		}
		if (p.sanitised == nil) == (p.meta.NotSanitised == "") {
			t.Fatalf("sanitised copy and its absence disagree: %+v", p.meta)
		}
	})
}

func FuzzNormalise(f *testing.F) {
	f.Add("1234 5678 9012 3456")
	f.Add("1234-5678-9012-3456")
	f.Add("12345")
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := normalise(s)
		if ok && (len(n) != ReceiptDigits || strings.Trim(n, "0123456789") != "") {
			t.Fatalf("normalise(%q) = %q, true", s, n)
		}
	})
}
