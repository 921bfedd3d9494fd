package channel

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"net/url"
	"sync"
	"time"

	"lantern"
)

// Tokens signs and checks the hidden token every form carries, in place of
// a session: it proves the form came from this service recently, and each
// token is accepted once, so a form cannot be replayed or sent twice by a
// refresh. Spent tokens are remembered in memory until they expire.
type Tokens struct {
	key      []byte
	lifetime time.Duration

	mu    sync.Mutex
	spent map[[16]byte]time.Time
}

// NewTokens returns Tokens signed with key, each valid for lifetime.
func NewTokens(key []byte, lifetime time.Duration) *Tokens {
	return &Tokens{key: key, lifetime: lifetime, spent: map[[16]byte]time.Time{}}
}

const tokenLen = 8 + 16 + 16

func (t *Tokens) mac(purpose string, body []byte) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write(body)
	return m.Sum(nil)[:16]
}

// Issue returns a token for a form with purpose.
func (t *Tokens) Issue(purpose string, now time.Time) string {
	b := make([]byte, 24, tokenLen)
	binary.BigEndian.PutUint64(b, uint64(now.Add(t.lifetime).Unix()))
	rand.Read(b[8:24])
	b = append(b, t.mac(purpose, b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// errToken is the answer to a missing, forged, expired or spent token.
var errToken = lantern.FieldErrorf("token", "This form has expired or was already sent. Nothing was saved from it: please fill it in again.")

// Spend checks a token for purpose and marks it used.
func (t *Tokens) Spend(purpose, token string, now time.Time) error {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != tokenLen || !hmac.Equal(b[24:], t.mac(purpose, b[:24])) {
		return errToken
	}
	exp := time.Unix(int64(binary.BigEndian.Uint64(b)), 0)
	if !now.Before(exp) {
		return errToken
	}
	var nonce [16]byte
	copy(nonce[:], b[8:24])
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, used := t.spent[nonce]; used {
		return errToken
	}
	if len(t.spent) > 10_000 {
		for k, e := range t.spent {
			if !now.Before(e) {
				delete(t.spent, k)
			}
		}
	}
	t.spent[nonce] = exp
	return nil
}

var queryUnescape = url.QueryUnescape

// Refund makes a spent token usable again, for a form refused after its
// token was spent (a file that failed its checks), so it can be corrected
// and sent again.
func (t *Tokens) Refund(token string) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != tokenLen {
		return
	}
	var nonce [16]byte
	copy(nonce[:], b[8:24])
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.spent, nonce)
}
