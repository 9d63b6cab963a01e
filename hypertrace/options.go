package hypertrace

import (
	"fmt"
	"strconv"
	"strings"
)

// Limits of the options.
const (
	MaxArgs       = 64
	maxMaxClients = 1 << 16
)

// Options are the values of -hypertrace [base=]PATH[,max-clients=N][,args=K].
type Options struct {
	Base       string // path prefix of the three channel files
	MaxClients int    // N ≥ 1
	Args       int    // K ≥ 1: arg1 from the control store, K-1 from the data page
}

// ParseOptions parses the -hypertrace option value (also read from the
// GEMU_HYPERTRACE environment variable).
func ParseOptions(s string) (Options, error) {
	o := Options{MaxClients: 1, Args: 1}
	if s == "" {
		return o, fmt.Errorf("-hypertrace: empty value (expected [base=]PATH[,max-clients=N][,args=K])")
	}
	for i, part := range strings.Split(s, ",") {
		key, val, hasKey := strings.Cut(part, "=")
		if !hasKey {
			if i != 0 {
				return o, fmt.Errorf("-hypertrace: %q: expected key=value", part)
			}
			key, val = "base", part
		}
		switch key {
		case "base", "path":
			if val == "" {
				return o, fmt.Errorf("-hypertrace: empty path")
			}
			o.Base = val
		case "max-clients":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 || n > maxMaxClients {
				return o, fmt.Errorf("-hypertrace: max-clients=%q: expected a number from 1 to %d", val, maxMaxClients)
			}
			o.MaxClients = n
		case "args":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 || n > MaxArgs {
				return o, fmt.Errorf("-hypertrace: args=%q: expected a number from 1 to %d", val, MaxArgs)
			}
			o.Args = n
		default:
			return o, fmt.Errorf("-hypertrace: unknown key %q (base, path, max-clients or args)", key)
		}
	}
	if o.Base == "" {
		return o, fmt.Errorf("-hypertrace: no path given")
	}
	return o, nil
}

// pageSize is the guest page size the channel's layout is computed with.
const pageSize = 4096

func alignUp(v uint64) uint64 { return (v + pageSize - 1) &^ (pageSize - 1) }

// Layout is the channel geometry published in PATH-config.
type Layout struct {
	MaxClients     uint64
	ClientArgs     uint64 // K
	ClientDataSize uint64 // 8K bytes per client in the data file
	ControlSize    uint64 // 2 × align_up(8N, page)
	DataSize       uint64 // align_up(8KN, page)
}

// LayoutOf computes the geometry for the options.
func LayoutOf(o Options) Layout {
	n, k := uint64(o.MaxClients), uint64(o.Args)
	return Layout{
		MaxClients:     n,
		ClientArgs:     k,
		ClientDataSize: 8 * k,
		ControlSize:    2 * alignUp(8*n),
		DataSize:       alignUp(8 * k * n),
	}
}
