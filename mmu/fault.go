package mmu

import "strconv"

var accessNames = [...]string{AccessRead: "read", AccessWrite: "write", AccessExec: "exec"}

var kindNames = [...]string{FaultUnmapped: "unmapped", FaultProtection: "protection", FaultBus: "beyond end of file"}

func (a Access) String() string {
	if int(a) < len(accessNames) {
		return accessNames[a]
	}
	return "access(" + strconv.Itoa(int(a)) + ")"
}

func (k FaultKind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "fault(" + strconv.Itoa(int(k)) + ")"
}

// Error describes the fault, e.g. "mmu: write fault at 0x1000 (unmapped)".
func (f *Fault) Error() string {
	return "mmu: " + f.Access.String() + " fault at 0x" + strconv.FormatUint(f.Addr, 16) + " (" + f.Kind.String() + ")"
}

func fault(addr uint64, acc Access, kind FaultKind) *Fault {
	return &Fault{Addr: addr, Access: acc, Kind: kind}
}
