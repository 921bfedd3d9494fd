package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"lantern/ingest"
	"lantern/intake"
)

// Installation secrets. Each is 32 random bytes, base64 in a file of its own
// with mode 0600, created on first use in the secrets directory. Processes
// that share a PostgreSQL store and NATS cluster must share these files.
const (
	phoneKeyFile      = "phone-hmac.key" // keys the hashes of phone numbers
	quarantineKeyFile = "quarantine.key" // seals rejected rows kept for repair
)

// secretsDir returns the directory that holds the installation's secrets.
func secretsDir(cfg *config, dir *dataDir) string {
	if d := cfg.str("secrets-dir"); d != "" {
		return d
	}
	return filepath.Join(dir.path, "secrets")
}

// loadOrCreateKey reads a 32-byte key, creating it if the file does not exist.
func loadOrCreateKey(dir, name string) ([]byte, error) {
	path := filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return createKey(dir, path)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, errors.Unwrap(err))
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("%s does not hold a base64 32-byte key", path)
	}
	return key, nil
}

func createKey(dir, path string) ([]byte, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, errors.Unwrap(err))
	}
	key := make([]byte, 32)
	rand.Read(key)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, errors.Unwrap(err))
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("sync %s: %w", path, err)
	}
	return key, f.Close()
}

// keys holds the installation's secrets, ready to use.
type keys struct {
	phones *ingest.PhoneHasher
	sealer *intake.Sealer
}

// loadKeys loads (or on first use creates) the installation's secrets.
func loadKeys(cfg *config, dir *dataDir) (*keys, error) {
	sd := secretsDir(cfg, dir)
	pk, err := loadOrCreateKey(sd, phoneKeyFile)
	if err != nil {
		return nil, cfg.settingError("secrets-dir", err)
	}
	qk, err := loadOrCreateKey(sd, quarantineKeyFile)
	if err != nil {
		return nil, cfg.settingError("secrets-dir", err)
	}
	k := &keys{}
	if k.phones, err = ingest.NewPhoneHasher(pk); err != nil {
		return nil, err
	}
	if k.sealer, err = intake.NewSealer(qk); err != nil {
		return nil, err
	}
	return k, nil
}
