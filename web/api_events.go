package web

import (
	"crypto/sha256"
	"errors"
	"net/http"
	"strings"

	"lantern"
	"lantern/ingest"
	"lantern/intake"
)

// MaxEventsBody bounds one POST /api/v1/events request. A sender with more
// splits it into several requests.
const MaxEventsBody = 64 << 20

// eventsReply is the body of a POST /api/v1/events reply.
type eventsReply struct {
	intake.Summary
	Error *errorDetail `json:"error,omitempty"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// authenticateSource returns the API source whose bearer token the request
// carries, or EUNAUTHORIZED; EFORBIDDEN when the token's scope is not scope.
// Only a SHA-256 of the token is ever compared or stored: tokens are 256-bit
// random values, so a fast hash is enough.
func authenticateSource(r *http.Request, sources lantern.SourceService, scope string) (*lantern.Source, error) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return nil, lantern.Errorf(lantern.EUNAUTHORIZED, "Send the source's API token as 'Authorization: Bearer TOKEN'.")
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	src, err := sources.FindSourceByTokenHash(r.Context(), sum[:])
	if lantern.ErrorCode(err) == lantern.ENOTFOUND {
		return nil, lantern.Errorf(lantern.EUNAUTHORIZED, "The API token is not valid, or its source is disabled.")
	}
	if err != nil {
		return nil, err
	}
	if src.Scope != scope {
		return nil, lantern.Errorf(lantern.EFORBIDDEN, "This token's scope is %s; this request needs a token with scope %s ('lantern source add NAME --scope %s').", src.Scope, scope, scope)
	}
	return src, nil
}

// handlePostEvents accepts a JSON Lines batch of one kind (?kind=access) from
// an authenticated source. It replies once every accepted record is durable
// in the event log, with accepted, duplicate and rejected counts and the
// reason for each rejected line.
func (s *Server) handlePostEvents(w http.ResponseWriter, r *http.Request) {
	svc := s.services.Load()
	if svc == nil || svc.Intake == nil || svc.Sources == nil {
		s.Error(w, r, lantern.Errorf(lantern.EUNAVAILABLE, "Intake is not running yet."))
		return
	}
	src, err := authenticateSource(r, svc.Sources, lantern.ScopeIngest)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	kind, err := ingest.ParseKind(r.URL.Query().Get("kind"))
	if err != nil {
		s.Error(w, r, lantern.FieldErrorf("kind", "query parameter kind must be one of %v", ingest.Kinds()))
		return
	}
	body := http.MaxBytesReader(w, r.Body, MaxEventsBody)
	sum, err := svc.Intake.Submit(r.Context(), intake.Input{Source: "api:" + src.Name, Kind: kind, Reader: body})
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			err = lantern.Errorf(lantern.EINVALID, "The request body is larger than %d MiB; split it into several requests. The lines before the limit were handled as counted.", MaxEventsBody>>20)
		}
		if sum == nil {
			s.Error(w, r, err)
			return
		}
		if lantern.ErrorCode(err) == lantern.EINTERNAL {
			s.logger.Error("intake failed", "source", src.Name, "kind", kind, "error", err)
		}
		writeJSON(w, ErrorStatus(err), eventsReply{Summary: *sum, Error: &errorDetail{Code: lantern.ErrorCode(err), Message: lantern.ErrorMessage(err)}})
		return
	}
	writeJSON(w, http.StatusOK, eventsReply{Summary: *sum})
}
