package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"path"
	"strings"
	"unicode/utf8"

	"lantern"
)

// Limits bound what a reporter may attach.
type Limits struct {
	MaxFileBytes int64 // one file
	MaxFiles     int   // files with one report or one answer
	MaxPixels    int   // width × height of an image, so a small file cannot decode to gigabytes
}

// DefaultLimits are 10 MiB a file, 5 files at a time and 40 megapixels.
var DefaultLimits = Limits{MaxFileBytes: 10 << 20, MaxFiles: 5, MaxPixels: 40_000_000}

// Upload is one file as the reporter sent it.
type Upload struct {
	Name string
	Data []byte
}

// prepared is an accepted upload: its description, original and, where
// Lantern can strip metadata honestly, a sanitised copy.
type prepared struct {
	meta      lantern.AttachmentMeta
	original  []byte
	sanitised []byte
}

// Types accepted, found by the content, never the name.
const (
	typeJPEG = "image/jpeg"
	typePNG  = "image/png"
	typePDF  = "application/pdf"
	typeText = "text/plain"
)

// AcceptedTypes describes the accepted files for the reporter.
const AcceptedTypes = "JPEG or PNG pictures, PDF documents or plain text files"

// notSanitisedPDF says why a PDF has no sanitised copy.
const notSanitisedPDF = "Lantern could not rewrite this PDF without its document properties (it may be encrypted or damaged), so only the original is kept, as evidence for the unit."

// prepare checks an upload against lim and makes its sanitised copy. Every
// refusal is EINVALID on field "file" with a message for the reporter.
func prepare(u Upload, lim Limits) (*prepared, error) {
	name := cleanName(u.Name)
	if len(u.Data) == 0 {
		return nil, lantern.FieldErrorf("file", "The file %s is empty", name)
	}
	if int64(len(u.Data)) > lim.MaxFileBytes {
		return nil, lantern.FieldErrorf("file", "The file %s must be smaller than %d MB", name, lim.MaxFileBytes>>20)
	}
	sum := sha256.Sum256(u.Data)
	p := &prepared{original: u.Data, meta: lantern.AttachmentMeta{Name: name, Size: int64(len(u.Data)), SHA256: hex.EncodeToString(sum[:])}}
	sniffed, _, _ := strings.Cut(http.DetectContentType(u.Data), ";")
	switch sniffed {
	case typeJPEG, typePNG:
		clean, err := reencode(u.Data, sniffed, lim)
		if err != nil {
			return nil, lantern.FieldErrorf("file", "The file %s is not a picture that can be read: %s", name, err.Error())
		}
		p.sanitised = clean
	case typePDF:
		// The document written again without its properties; the unit
		// still reviews its pages before sharing them.
		if clean, err := StripPDF(u.Data); err == nil && len(clean) > 0 {
			p.sanitised = clean
		} else {
			p.meta.NotSanitised = notSanitisedPDF
		}
	case typeText:
		if !utf8.Valid(u.Data) {
			return nil, lantern.FieldErrorf("file", "The file %s is not plain text that can be read", name)
		}
		// Plain text has no metadata: every byte is content, which the
		// unit reviews before sharing it.
		p.sanitised = u.Data
	default:
		return nil, lantern.FieldErrorf("file", "The file %s must be one of: %s", name, AcceptedTypes)
	}
	p.meta.ContentType = sniffed
	if p.sanitised != nil {
		s := sha256.Sum256(p.sanitised)
		p.meta.SanitisedType, p.meta.SanitisedSize, p.meta.SanitisedSHA256 = sniffed, int64(len(p.sanitised)), hex.EncodeToString(s[:])
	}
	return p, nil
}

// reencode decodes a picture and encodes its pixels again, which leaves
// behind everything that is not pixels: EXIF (camera, time, place),
// XMP, comments and thumbnails. Orientation is lost with EXIF.
func reencode(data []byte, typ string, lim Limits) ([]byte, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, errPicture
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > lim.MaxPixels/max(cfg.Height, 1) {
		return nil, lantern.Errorf(lantern.EINVALID, "it has more than %d million pixels", lim.MaxPixels/1_000_000)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, errPicture
	}
	var buf bytes.Buffer
	if typ == typeJPEG {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	} else {
		err = (&png.Encoder{CompressionLevel: png.DefaultCompression}).Encode(&buf, img)
	}
	if err != nil {
		return nil, errPicture
	}
	return buf.Bytes(), nil
}

var errPicture = lantern.Errorf(lantern.EINVALID, "it is damaged or incomplete")

// cleanName keeps the last element of a file name, without control
// characters, at most 200 bytes.
func cleanName(n string) string {
	n = path.Base(strings.ReplaceAll(n, `\`, "/"))
	n = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, n)
	for len(n) > 200 {
		_, size := utf8.DecodeLastRuneInString(n)
		n = n[:len(n)-size]
	}
	if n == "" || n == "." || n == "/" {
		return "file"
	}
	return n
}

// Prepared is an upload that passed the checks: its description, the
// original as sent and, where Lantern can strip metadata honestly, the
// sanitised copy (nil otherwise, with Meta.NotSanitised saying why).
type Prepared struct {
	Meta      lantern.AttachmentMeta
	Original  []byte
	Sanitised []byte
}

// Prepare checks an upload against lim, finds its type from its content
// and makes its sanitised copy, as for a report's attachments, for other
// parts of Lantern that take files (the partner referral portal). Every
// refusal is EINVALID on field "file" with a message naming the file and
// the reason.
func Prepare(u Upload, lim Limits) (*Prepared, error) {
	p, err := prepare(u, lim)
	if err != nil {
		return nil, err
	}
	return &Prepared{Meta: p.meta, Original: p.original, Sanitised: p.sanitised}, nil
}
