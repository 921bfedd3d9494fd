package nats

import (
	"context"
	"errors"
	"fmt"
	"strings"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"lantern"
)

// Msg is one message for the log.
type Msg struct {
	// Subject is where the message goes: a literal subject (no wildcards)
	// that one of the stream's subjects matches.
	Subject string
	// ID is the message's Nats-Msg-Id: within the stream's duplicate window
	// a second message with the same ID is acknowledged as a duplicate and
	// not stored again. Empty means no de-duplication.
	ID string
	// Data is the payload. It must not be modified until PublishBatch
	// returns.
	Data []byte
}

// PublishBatch publishes msgs asynchronously, in order, then waits until the
// server has acknowledged every one of them. An acknowledgement means the
// message is stored (for the embedded server with SyncAlways, fsynced; for a
// replicated stream, on a quorum of replicas).
//
// It returns one Ack per message, in order: its stream sequence, and whether
// the server reported it as a duplicate of an ID already in the stream
// (acknowledged but not stored again), so the caller can count accepted
// events as len(msgs) - Dups(acks). An empty batch returns (nil, nil).
//
// The stream holds the batch in batch order unless a message had to be
// resent: when a cluster's stream is between leaders, messages nobody
// answered are resent (for up to about 10 s) and may land after later ones.
// Consumers should order events by their own time, not by stream sequence.
//
// If any message fails, PublishBatch still waits for the others, then
// returns an error saying how many failed, wrapping the first cause:
// EUNAVAILABLE (disconnected, or no ack within Config.AckTimeout, as when
// a stream leader dies with the message in flight) or EINVALID (a message over
// the server's maximum payload). Only the acknowledged messages then have
// Stored set. Part of the batch may have been stored; re-publishing the whole batch
// with the same IDs within the duplicate window is safe, since stored ones
// come back as duplicates, but a message without an ID would be stored
// twice. A subject the stream does not capture (or an empty one, or one with
// wildcards) fails the whole batch with EINVALID before anything is sent. If
// ctx ends first, PublishBatch returns ctx's error without waiting further.
func (l *Log) PublishBatch(ctx context.Context, msgs []Msg) (acks []Ack, err error) {
	for i := range msgs {
		if !l.captures(msgs[i].Subject) {
			// The subject itself is not quoted: it may carry a staff id.
			return nil, lantern.FieldErrorf("Subject", "message %d of the batch does not have a literal subject under %s",
				i, strings.Join(l.cfg.Subjects, ", "))
		}
	}
	if len(msgs) == 0 {
		return nil, nil
	}
	acks = make([]Ack, len(msgs))
	opts := []jetstream.PublishOpt{
		// A batch larger than the in-flight limit waits for room rather
		// than failing, as long as the server keeps acknowledging.
		jetstream.WithStallWait(l.cfg.AckTimeout),
		// "No responders" means the stream is between leaders (or not yet
		// subscribed on a cluster); nothing was stored, so resending is
		// safe. Ride out an election rather than fail the batch.
		jetstream.WithRetryAttempts(publishRetryAttempts),
		jetstream.WithRetryWait(publishRetryWait),
	}

	futures := make([]jetstream.PubAckFuture, 0, len(msgs))
	var sendErr error
	for i := range msgs {
		if err := ctx.Err(); err != nil {
			return acks, fmt.Errorf("publish batch: %w", err)
		}
		m := &natsgo.Msg{Subject: msgs[i].Subject, Data: msgs[i].Data}
		if msgs[i].ID != "" {
			m.Header = natsgo.Header{jetstream.MsgIDHeader: []string{msgs[i].ID}}
		}
		f, err := l.js.PublishMsgAsync(m, opts...)
		if err != nil {
			sendErr = err
			break
		}
		futures = append(futures, f)
	}

	failed := len(msgs) - len(futures)
	firstErr := sendErr
	// Wait for every future, even after a failure, so that every Ack is right and
	// nothing sent is left unaccounted for when we return.
	for i, f := range futures {
		select {
		case ack := <-f.Ok():
			acks[i] = Ack{Stored: true, Seq: ack.Sequence, Duplicate: ack.Duplicate}
		case err := <-f.Err():
			failed++
			if firstErr == nil {
				firstErr = err
			}
		case <-ctx.Done():
			return acks, fmt.Errorf("publish batch: %w", ctx.Err())
		}
	}
	if failed > 0 {
		code := lantern.EUNAVAILABLE
		if errors.Is(firstErr, natsgo.ErrMaxPayload) {
			code = lantern.EINVALID
		}
		return acks, fmt.Errorf("publish batch: %w", codeError(code, firstErr,
			"%d of %d messages were not stored in the event log", failed, len(msgs)))
	}
	return acks, nil
}

// Ack is the log's answer to one published message.
type Ack struct {
	Stored    bool   // the log holds the message (false if it failed)
	Seq       uint64 // its stream sequence; for a duplicate, the original's
	Duplicate bool   // an earlier message with the same ID was already stored
}

// Dups counts the duplicates among acks.
func Dups(acks []Ack) int {
	n := 0
	for _, a := range acks {
		if a.Duplicate {
			n++
		}
	}
	return n
}

// captures reports whether subject is a valid literal subject that one of the
// stream's subject filters matches.
func (l *Log) captures(subject string) bool {
	if subject == "" || strings.ContainsAny(subject, " \t\r\n") {
		return false
	}
	tokens := strings.Split(subject, ".")
	for _, t := range tokens {
		if t == "" || t == "*" || t == ">" {
			return false
		}
	}
	for _, f := range l.cfg.Subjects {
		if subjectMatches(strings.Split(f, "."), tokens) {
			return true
		}
	}
	return false
}

// subjectMatches reports whether the tokens of a literal subject match those
// of a filter, where "*" matches one token and a final ">" one or more.
func subjectMatches(filter, subject []string) bool {
	for i, f := range filter {
		if f == ">" {
			return len(subject) > i
		}
		if i >= len(subject) || (f != "*" && f != subject[i]) {
			return false
		}
	}
	return len(filter) == len(subject)
}
