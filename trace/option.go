package trace

import (
	"fmt"
	"path"
	"strings"
)

// Format is a sink's output format.
type Format uint8

const (
	FormatLog Format = iota
	FormatSimple
	FormatJSON
)

func (f Format) String() string {
	switch f {
	case FormatSimple:
		return "simple"
	case FormatJSON:
		return "json"
	}
	return "log"
}

// Option is one parsed -trace option:
//
//	-trace [enable=]PATTERN[,file=FILE][,format=log|simple|json]
type Option struct {
	Pattern string // a glob over event names (path.Match syntax)
	File    string // empty: the log goes to the -D file or stderr; binary formats get a default name
	Format  Format
}

// ParseOption parses the value of one -trace option.
func ParseOption(s string) (Option, error) {
	var o Option
	if s == "" {
		return o, fmt.Errorf("-trace: empty value (expected [enable=]PATTERN[,file=FILE][,format=log|simple|json])")
	}
	for i, part := range strings.Split(s, ",") {
		key, val, hasKey := strings.Cut(part, "=")
		if !hasKey {
			if i != 0 {
				return o, fmt.Errorf("-trace: %q: expected key=value", part)
			}
			key, val = "enable", part
		}
		switch key {
		case "enable":
			if val == "" {
				return o, fmt.Errorf("-trace: empty event pattern")
			}
			if _, err := path.Match(val, ""); err != nil {
				return o, fmt.Errorf("-trace: bad pattern %q: %v", val, err)
			}
			o.Pattern = val
		case "file":
			if val == "" {
				return o, fmt.Errorf("-trace: empty file name")
			}
			o.File = val
		case "format":
			switch val {
			case "log":
				o.Format = FormatLog
			case "simple":
				o.Format = FormatSimple
			case "json":
				o.Format = FormatJSON
			default:
				return o, fmt.Errorf("-trace: unknown format %q (log, simple or json)", val)
			}
		default:
			return o, fmt.Errorf("-trace: unknown key %q (enable, file or format)", key)
		}
	}
	if o.Pattern == "" {
		return o, fmt.Errorf("-trace: no event pattern given")
	}
	return o, nil
}

// matches reports whether the pattern selects the event name.
func (o *Option) matches(name string) bool {
	ok, _ := path.Match(o.Pattern, name)
	return ok
}
