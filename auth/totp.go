package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP settings: RFC 6238 with the defaults every authenticator app
// supports: SHA-1, six digits, a 30-second step, and one step of clock
// drift either side.
const (
	totpPeriod = 30
	totpSkew   = 1
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// NewTOTP generates a TOTP secret for account, and the otpauth:// URI an
// authenticator app reads (usually from a QR code). The secret is 160
// random bits, base32.
func NewTOTP(issuer, account string, random io.Reader) (secret, uri string, err error) {
	if random == nil {
		random = rand.Reader
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod,
		SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, Rand: random})
	if err != nil {
		return "", "", fmt.Errorf("generate TOTP secret: %w", err)
	}
	return key.Secret(), key.URL(), nil
}

// totpStep returns the time step whose code is code, looking one step
// either side of now, and whether there is one. Every candidate is
// compared, in constant time, so the time taken says nothing.
func totpStep(secret, code string, now time.Time) (int64, bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, false
	}
	step := now.Unix() / totpPeriod
	var found int64
	ok := 0
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix((step+d)*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			found, ok = step+d, 1
		}
	}
	return found, ok == 1
}

// sealer keeps TOTP secrets encrypted at rest with AES-256-GCM, the user's
// id as additional data so that a sealed secret cannot be moved to another
// user. Without a key it stores them marked as plain.
type sealer struct{ aead cipher.AEAD }

const (
	sealedPrefix = "v1:"
	plainPrefix  = "plain:"
)

func newSealer(key []byte) (*sealer, error) {
	if key == nil {
		return &sealer{}, nil
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("the TOTP key must be 32 bytes, not %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(userID, secret string, random io.Reader) (string, error) {
	if s.aead == nil {
		return plainPrefix + secret, nil
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := io.ReadFull(random, nonce); err != nil {
		return "", fmt.Errorf("read nonce: %w", err)
	}
	out := s.aead.Seal(nonce, nonce, []byte(secret), []byte(userID))
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(out), nil
}

func (s *sealer) open(userID, sealed string) (string, error) {
	if secret, ok := strings.CutPrefix(sealed, plainPrefix); ok {
		return secret, nil
	}
	b64, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return "", fmt.Errorf("the stored TOTP secret is in an unknown form")
	}
	if s.aead == nil {
		return "", fmt.Errorf("the TOTP secret is encrypted but no TOTP key is configured")
	}
	raw, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", fmt.Errorf("the stored TOTP secret is damaged")
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], []byte(userID))
	if err != nil {
		return "", fmt.Errorf("the stored TOTP secret does not open with the configured key")
	}
	return string(plain), nil
}
