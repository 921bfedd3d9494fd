package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// testPDF builds a one-page PDF whose document properties name its author
// in the information dictionary and in XMP metadata on the catalog and the
// page, with the cross-reference offsets computed.
func testPDF(author, text string) []byte {
	xmp := `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>` + author + `</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`
	content := "BT /F1 12 Tf 72 720 Td (" + text + ") Tj ET"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R /PieceInfo << /Editor << /LastModified (D:20260101) /Private (" + author + ") >> >> >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> /Metadata 6 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n%s\nendstream", len(xmp), xmp),
		"<< /Title (Notes) /Author (" + author + ") /Creator (Word) /Producer (Writer) /CreationDate (D:20260101120000Z) /Company (" + author + " Ltd) >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func TestStripPDFRemovesDocumentProperties(t *testing.T) {
	const author = "Quillfeather"
	orig := testPDF(author, "Hello from the reporter")
	if !bytes.Contains(orig, []byte(author)) {
		t.Fatal("the test PDF does not carry its author")
	}
	clean, err := stripPDF(orig)
	if err != nil {
		t.Fatalf("stripPDF: %v", err)
	}
	if bytes.Contains(clean, []byte(author)) {
		t.Errorf("the sanitised PDF still holds %q", author)
	}
	// Read it back: still a PDF with its page and text, and no properties
	// but the writer's.
	conf := model.NewDefaultConfiguration()
	ctx, err := api.ReadContext(bytes.NewReader(clean), conf)
	if err != nil {
		t.Fatalf("the sanitised PDF cannot be read: %v", err)
	}
	if err := api.ValidateContext(ctx); err != nil {
		t.Fatalf("the sanitised PDF is not valid: %v", err)
	}
	if ctx.PageCount != 1 {
		t.Errorf("%d pages", ctx.PageCount)
	}
	root, err := ctx.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range pdfMetadataKeys {
		if _, ok := root.Find(k); ok {
			t.Errorf("the catalog keeps %s", k)
		}
	}
	page, _, _, err := ctx.PageDict(1, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := page.Find("Metadata"); ok {
		t.Error("the page keeps its metadata")
	}
	if ctx.Info != nil {
		info, err := ctx.DereferenceDict(*ctx.Info)
		if err != nil {
			t.Fatal(err)
		}
		for k := range info {
			if k != "Producer" && k != "CreationDate" && k != "ModDate" {
				t.Errorf("the information dictionary keeps %s", k)
			}
		}
		if s := info.String(); strings.Contains(s, author) || strings.Contains(s, "Word") {
			t.Errorf("information dictionary %s", s)
		}
	}
	content, err := ctx.PageContent(page, 1)
	if err != nil || !bytes.Contains(content, []byte("Hello from the reporter")) {
		t.Errorf("the page's text was lost: %q %v", content, err)
	}
}

func TestPrepareSanitisesPDF(t *testing.T) {
	p, err := prepare(Upload{Name: "notes.pdf", Data: testPDF("Quillfeather", "A note")}, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if p.sanitised == nil || p.meta.NotSanitised != "" || p.meta.SanitisedType != typePDF || p.meta.ContentType != typePDF ||
		bytes.Contains(p.sanitised, []byte("Quillfeather")) || p.meta.SanitisedSHA256 == p.meta.SHA256 {
		t.Errorf("prepared %+v", p.meta)
	}
	// A PDF that cannot be rewritten is kept as the original only, with
	// the reason.
	broken := []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
	p, err = prepare(Upload{Name: "broken.pdf", Data: broken}, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if p.sanitised != nil || p.meta.NotSanitised != notSanitisedPDF || p.meta.ContentType != typePDF {
		t.Errorf("broken PDF prepared %+v", p.meta)
	}
}

func FuzzStripPDF(f *testing.F) {
	f.Add(testPDF("Quillfeather", "Hello"))
	f.Add([]byte("%PDF-1.4\n%%EOF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		clean, err := stripPDF(data)
		if err != nil {
			return // kept as the original only
		}
		// A copy that is made must be a PDF that reads again, without
		// the properties it was made to drop.
		ctx, err := api.ReadContext(bytes.NewReader(clean), model.NewDefaultConfiguration())
		if err != nil {
			t.Fatalf("the copy does not read again: %v", err)
		}
		if root, err := ctx.Catalog(); err == nil {
			if _, ok := root.Find("Metadata"); ok {
				t.Fatal("the copy keeps the catalog's metadata")
			}
		}
	})
}
