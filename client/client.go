// Package client is a Go client of Lantern's JSON API. The command line's
// remote commands use it, and so can a force's own tools.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"lantern"
	"lantern/intake"
)

// Client talks to one Lantern server.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
}

// New returns a client of the server at base (such as http://127.0.0.1:8080)
// that authenticates with token.
func New(base, token string) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, lantern.Errorf(lantern.EINVALID, "server address %q is not an http(s) URL", base)
	}
	return &Client{base: u, token: token, http: &http.Client{Timeout: 10 * time.Minute}}, nil
}

// apiError is the JSON error body every API error has.
type apiError struct {
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// PostEvents sends one JSON Lines batch of kind and returns the server's
// summary. The server has made every accepted record durable before it
// answers. An error reply comes back as a *lantern.Error with the server's
// code, together with the summary of what was handled before it, if any.
func (c *Client) PostEvents(ctx context.Context, kind string, body []byte) (*intake.Summary, error) {
	u := *c.base
	u.Path += "/api/v1/events"
	u.RawQuery = url.Values{"kind": {kind}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, lantern.Errorf(lantern.EUNAVAILABLE, "cannot reach %s: %v", c.base.Redacted(), err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, lantern.Errorf(lantern.EUNAVAILABLE, "reading the reply from %s: %v", c.base.Redacted(), err)
	}
	var reply struct {
		intake.Summary
		apiError
	}
	if err := json.Unmarshal(raw, &reply); err != nil {
		return nil, fmt.Errorf("%s answered %s with a body that is not Lantern's JSON", c.base.Redacted(), resp.Status)
	}
	if reply.Error != nil {
		e := &lantern.Error{Code: reply.Error.Code, Field: reply.Error.Field, Message: reply.Error.Message}
		if resp.StatusCode == http.StatusOK || reply.Kind == "" {
			return nil, e
		}
		return &reply.Summary, e
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s", c.base.Redacted(), resp.Status)
	}
	return &reply.Summary, nil
}
