package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServeReportingChannel starts serve with the reporting channel on its
// own listener: the channel's pages answer there and not on the workspace's
// listener, and with no unit member holding a key yet a report is refused
// with a clear message rather than stored where nobody could read it.
func TestServeReportingChannel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	args := []string{"serve", "--http", "127.0.0.1:0", "--report-http", "127.0.0.1:0", "--report-prefix", "/tell-us",
		"--report-receipt-time", "10ms", "--log-format", "json", "--data-dir", t.TempDir()}
	go func() { done <- run(ctx, args, envFrom(nil), strings.NewReader(""), io.Discard, logs) }()
	main := "http://" + listenAddr(t, logs)
	var channelAddr string
	deadline := time.Now().Add(10 * time.Second)
	for channelAddr == "" && time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(logs.String()))
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "reporting channel listening" {
				channelAddr = line.Addr
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	if channelAddr == "" {
		t.Fatalf("the channel never listened; logs:\n%s", logs.String())
	}
	base := "http://" + channelAddr + "/tell-us"
	resp := waitStatus(t, base+"/", http.StatusOK, 10*time.Second)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "Report a concern") || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("start page: %s", body)
	}
	resp, err := http.Get(main + "/tell-us/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Errorf("the workspace listener serves the channel")
	}
	resp, err = http.Get(base + "/new")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tok := tokenOf(string(page))
	form := "token=" + tok + "&kind=anonymous&what=Something+happened"
	resp, err = http.Post(base+"/new", "application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(page), "cannot take reports at the moment") {
		t.Errorf("report with no key holders: %d\n%s", resp.StatusCode, page)
	}
	if strings.Contains(logs.String(), "Something happened") {
		t.Errorf("the report's text reached the log")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func tokenOf(page string) string {
	_, rest, _ := strings.Cut(page, `name="token" value="`)
	tok, _, _ := strings.Cut(rest, `"`)
	return tok
}
