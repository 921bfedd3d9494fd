package report

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"math/big"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"lantern"
)

// ReceiptDigits is the length of a receipt: 16 random digits, about 53 bits.
const ReceiptDigits = 16

// Argon2id parameters of the receipt hash: 19 MiB and two passes, the
// OWASP minimum for argon2id, about 30 ms here. The receipt is random, so
// the work only has to make each of 10^16 guesses dear for someone holding
// both the database and the installation key.
const (
	receiptTime   = 2
	receiptMemory = 19 << 10 // KiB
)

// Receipts turns receipts into the two values stored with a report: a lookup
// hash and a key that unwraps the report's content key. Both come from one
// argon2id hash of the receipt salted with an installation key, so a copy of
// the database alone cannot even start guessing, and with the key each guess
// costs a slow hash.
type Receipts struct {
	salt []byte
	// sem bounds the argon2id hashes running at once, so a burst of
	// attempts cannot exhaust memory.
	sem chan struct{}
}

// NewReceipts returns Receipts keyed by key (32 bytes, from the secrets
// directory).
func NewReceipts(installationKey []byte) (*Receipts, error) {
	if len(installationKey) < 32 {
		return nil, lantern.Errorf(lantern.EINVALID, "The receipt key must be 32 bytes.")
	}
	m := hmac.New(sha256.New, installationKey)
	m.Write([]byte("lantern/receipt/salt/v1"))
	return &Receipts{salt: m.Sum(nil), sem: make(chan struct{}, 4)}, nil
}

// NewReceipt returns a fresh receipt of ReceiptDigits uniformly random digits.
func NewReceipt(r io.Reader) (string, error) {
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(ReceiptDigits), nil)
	n, err := rand.Int(r, limit)
	if err != nil {
		return "", err
	}
	s := n.String()
	return strings.Repeat("0", ReceiptDigits-len(s)) + s, nil
}

// FormatReceipt groups a receipt's digits in fours for reading aloud.
func FormatReceipt(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// normalise strips the spaces and dashes a reporter may type and reports
// whether what is left is a well-formed receipt.
func normalise(s string) (string, bool) {
	if len(s) > 64 {
		return "", false
	}
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == ' ' || c == '-' || c == '\t':
		default:
			return "", false
		}
	}
	return b.String(), b.Len() == ReceiptDigits
}

// derive returns the lookup hash and wrapping key of a receipt. It always
// does the same work, whatever receipt it is given.
func (r *Receipts) derive(receipt string) (lookup []byte, wrap key) {
	r.sem <- struct{}{}
	h := argon2.IDKey([]byte(receipt), r.salt, receiptTime, receiptMemory, 1, 32)
	<-r.sem
	m := hmac.New(sha256.New, h)
	m.Write([]byte("lookup"))
	lookup = m.Sum(nil)
	m = hmac.New(sha256.New, h)
	m.Write([]byte("wrap"))
	copy(wrap[:], m.Sum(nil))
	return lookup, wrap
}

// Limiter counts wrong receipts per client and across all clients. Clients
// are known only by a keyed hash of their network address, under a key made
// afresh in memory each time the process starts, and only in memory: no
// address is ever written anywhere.
type Limiter struct {
	PerClient int           // wrong receipts a client may give in Window
	Global    int           // wrong receipts all clients together may give in Window
	Window    time.Duration // how long a count lasts

	key    [32]byte
	mu     sync.Mutex
	counts map[[16]byte]*count
	global count
}

type count struct {
	n     int
	start time.Time
}

// NewLimiter returns a limiter allowing perClient wrong receipts per client
// and global across all clients in each window.
func NewLimiter(perClient, global int, window time.Duration) *Limiter {
	l := &Limiter{PerClient: perClient, Global: global, Window: window, counts: map[[16]byte]*count{}}
	rand.Read(l.key[:])
	return l
}

// client returns the keyed hash of a client's address.
func (l *Limiter) client(addr string) [16]byte {
	m := hmac.New(sha256.New, l.key[:])
	m.Write([]byte(addr))
	var c [16]byte
	copy(c[:], m.Sum(nil))
	return c
}

// Attempt reports whether a client may try a receipt at now and, if so,
// counts the try as a failure until Succeeded says otherwise: counting
// first means many tries sent at once cannot all slip under the limit.
func (l *Limiter) Attempt(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.global.live(now, l.Window) && l.global.n >= l.Global {
		return false
	}
	k := l.client(addr)
	c := l.counts[k]
	if c != nil && c.live(now, l.Window) && c.n >= l.PerClient {
		return false
	}
	if c == nil {
		if len(l.counts) > 100_000 {
			l.pruneLocked(now)
		}
		c = &count{}
		l.counts[k] = c
	}
	c.add(now, l.Window)
	l.global.add(now, l.Window)
	return true
}

// Succeeded takes back the count of a try that opened a report: only
// wrong receipts count.
func (l *Limiter) Succeeded(addr string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c := l.counts[l.client(addr)]; c != nil && c.live(now, l.Window) && c.n > 0 {
		c.n--
	}
	if l.global.live(now, l.Window) && l.global.n > 0 {
		l.global.n--
	}
}

// pruneLocked drops counts whose window has passed.
func (l *Limiter) pruneLocked(now time.Time) {
	for k, c := range l.counts {
		if !c.live(now, l.Window) {
			delete(l.counts, k)
		}
	}
}

func (c *count) live(now time.Time, window time.Duration) bool {
	return !c.start.IsZero() && now.Sub(c.start) < window
}

func (c *count) add(now time.Time, window time.Duration) {
	if !c.live(now, window) {
		c.n, c.start = 0, now
	}
	c.n++
}
