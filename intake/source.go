package intake

import (
	"bytes"

	"lantern/ingest"
)

// newLineSource returns the reader for an input: JSON Lines, or CSV through
// a mapping profile.
func newLineSource(inp Input, phones *ingest.PhoneHasher) (lineSource, error) {
	if inp.Profile != nil {
		r, err := ingest.NewCSVReader(inp.Reader, inp.Profile, phones)
		if err != nil {
			return nil, err
		}
		return &csvSource{r: r}, nil
	}
	r, err := ingest.NewLineReader(inp.Reader)
	if err != nil {
		return nil, err
	}
	return &jsonlSource{r: r}, nil
}

// jsonlSource yields raw JSON lines, decoded later in parallel.
type jsonlSource struct{ r *ingest.LineReader }

func (s *jsonlSource) next() ([]byte, int, *ingest.Record, error) {
	line, n, err := s.r.Next()
	if err != nil {
		// An over-long line comes back as an error with its first bytes
		// kept, so that quarantine holds what there was.
		return bytes.Clone(s.r.Raw()), n, nil, err
	}
	return bytes.Clone(line), n, nil, nil
}

// csvSource yields records the CSV reader has already decoded, with the
// row's raw text.
type csvSource struct{ r *ingest.CSVReader }

func (s *csvSource) next() ([]byte, int, *ingest.Record, error) {
	rec, n, err := s.r.Next()
	return bytes.Clone(s.r.Raw()), n, rec, err
}
