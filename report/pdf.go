package report

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// pdfOnce keeps pdfcpu from reading or writing a configuration directory:
// Lantern uses its built-in defaults only.
var pdfOnce sync.Once

// Entries that carry a PDF's document properties and editing history,
// removed from the catalog and from every page.
var pdfMetadataKeys = []string{"Metadata", "PieceInfo"}

// errPDFUnreadable refuses to make a sanitised copy of a PDF Lantern cannot
// parse and write again; the original is still kept.
var errPDFUnreadable = errors.New("the PDF could not be rewritten")

// StripPDF makes the sanitised copy of a PDF (see StripPDFInProcess). The
// lantern binary replaces it with one that runs StripPDFInProcess in a
// child process under a time limit, so that a crafted document cannot hold
// a core or the memory of the server; tests use it as it is. Set it before
// any upload is prepared.
var StripPDF = StripPDFInProcess

// StripPDFInProcess writes a PDF again; see stripPDF.
func StripPDFInProcess(data []byte) ([]byte, error) { return stripPDF(data) }

// stripPDF writes a PDF again without its document properties: the
// information dictionary (title, author, subject, keywords, creator,
// producer, dates, and any custom entries) and the XMP metadata and
// PieceInfo of the document and of each page. The document is read and
// written whole, not as an incremental update, so the old properties are
// not carried along in earlier revisions; objects nothing refers to any
// more are not written. The new file's information dictionary names only
// the writer and the time of writing. Encrypted documents and anything
// that cannot be parsed are refused with errPDFUnreadable.
func stripPDF(data []byte) (out []byte, err error) {
	pdfOnce.Do(api.DisableConfigDir)
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, errPDFUnreadable
		}
	}()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	conf.Optimize = true
	ctx, err := api.ReadValidateAndOptimize(bytes.NewReader(data), conf)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errPDFUnreadable, err)
	}
	if ctx.Encrypt != nil {
		return nil, fmt.Errorf("%w: it is encrypted", errPDFUnreadable)
	}
	ctx.Info = nil
	root, err := ctx.Catalog()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errPDFUnreadable, err)
	}
	for _, k := range pdfMetadataKeys {
		root.Delete(k)
	}
	for i := 1; i <= ctx.PageCount; i++ {
		page, _, _, err := ctx.PageDict(i, false)
		if err != nil {
			return nil, fmt.Errorf("%w: page %d: %v", errPDFUnreadable, i, err)
		}
		for _, k := range pdfMetadataKeys {
			page.Delete(k)
		}
	}
	var buf bytes.Buffer
	if err := api.WriteContext(ctx, &buf); err != nil {
		return nil, fmt.Errorf("%w: %v", errPDFUnreadable, err)
	}
	return buf.Bytes(), nil
}
