package syscalls

import (
	"errors"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

// hostErrno translates an error of a host system call (a unix.Errno) into
// the guest's errno. The numbers agree on x86-64 and arm64 hosts but not on
// every Linux (mips, sparc, alpha differ), so the mapping is spelt out.
func hostErrno(err error) linux.Errno {
	if err == nil {
		return 0
	}
	var e unix.Errno
	if !errors.As(err, &e) {
		return linux.EIO
	}
	switch e {
	case unix.Errno(linux.ERESTARTSYS): // an interrupted wait (blocking.go)
		return linux.ERESTARTSYS
	case unix.EPERM:
		return linux.EPERM
	case unix.ENOENT:
		return linux.ENOENT
	case unix.ESRCH:
		return linux.ESRCH
	case unix.EINTR:
		return linux.EINTR
	case unix.EIO:
		return linux.EIO
	case unix.ENXIO:
		return linux.ENXIO
	case unix.E2BIG:
		return linux.E2BIG
	case unix.ENOEXEC:
		return linux.ENOEXEC
	case unix.EBADF:
		return linux.EBADF
	case unix.ECHILD:
		return linux.ECHILD
	case unix.EAGAIN:
		return linux.EAGAIN
	case unix.ENOMEM:
		return linux.ENOMEM
	case unix.EACCES:
		return linux.EACCES
	case unix.EFAULT:
		return linux.EFAULT
	case unix.ENOTBLK:
		return linux.ENOTBLK
	case unix.EBUSY:
		return linux.EBUSY
	case unix.EEXIST:
		return linux.EEXIST
	case unix.EXDEV:
		return linux.EXDEV
	case unix.ENODEV:
		return linux.ENODEV
	case unix.ENOTDIR:
		return linux.ENOTDIR
	case unix.EISDIR:
		return linux.EISDIR
	case unix.EINVAL:
		return linux.EINVAL
	case unix.ENFILE:
		return linux.ENFILE
	case unix.EMFILE:
		return linux.EMFILE
	case unix.ENOTTY:
		return linux.ENOTTY
	case unix.ETXTBSY:
		return linux.ETXTBSY
	case unix.EFBIG:
		return linux.EFBIG
	case unix.ENOSPC:
		return linux.ENOSPC
	case unix.ESPIPE:
		return linux.ESPIPE
	case unix.EROFS:
		return linux.EROFS
	case unix.EMLINK:
		return linux.EMLINK
	case unix.EPIPE:
		return linux.EPIPE
	case unix.EDOM:
		return linux.EDOM
	case unix.ERANGE:
		return linux.ERANGE
	case unix.EDEADLK:
		return linux.EDEADLK
	case unix.ENAMETOOLONG:
		return linux.ENAMETOOLONG
	case unix.ENOLCK:
		return linux.ENOLCK
	case unix.ENOSYS:
		return linux.ENOSYS
	case unix.ENOTEMPTY:
		return linux.ENOTEMPTY
	case unix.ELOOP:
		return linux.ELOOP
	case unix.ENOMSG:
		return linux.ENOMSG
	case unix.EIDRM:
		return linux.EIDRM
	case unix.ECHRNG:
		return linux.ECHRNG
	case unix.EL2NSYNC:
		return linux.EL2NSYNC
	case unix.EL3HLT:
		return linux.EL3HLT
	case unix.EL3RST:
		return linux.EL3RST
	case unix.ELNRNG:
		return linux.ELNRNG
	case unix.EUNATCH:
		return linux.EUNATCH
	case unix.ENOCSI:
		return linux.ENOCSI
	case unix.EL2HLT:
		return linux.EL2HLT
	case unix.EBADE:
		return linux.EBADE
	case unix.EBADR:
		return linux.EBADR
	case unix.EXFULL:
		return linux.EXFULL
	case unix.ENOANO:
		return linux.ENOANO
	case unix.EBADRQC:
		return linux.EBADRQC
	case unix.EBADSLT:
		return linux.EBADSLT
	case unix.EBFONT:
		return linux.EBFONT
	case unix.ENOSTR:
		return linux.ENOSTR
	case unix.ENODATA:
		return linux.ENODATA
	case unix.ETIME:
		return linux.ETIME
	case unix.ENOSR:
		return linux.ENOSR
	case unix.ENONET:
		return linux.ENONET
	case unix.ENOPKG:
		return linux.ENOPKG
	case unix.EREMOTE:
		return linux.EREMOTE
	case unix.ENOLINK:
		return linux.ENOLINK
	case unix.EADV:
		return linux.EADV
	case unix.ESRMNT:
		return linux.ESRMNT
	case unix.ECOMM:
		return linux.ECOMM
	case unix.EPROTO:
		return linux.EPROTO
	case unix.EMULTIHOP:
		return linux.EMULTIHOP
	case unix.EDOTDOT:
		return linux.EDOTDOT
	case unix.EBADMSG:
		return linux.EBADMSG
	case unix.EOVERFLOW:
		return linux.EOVERFLOW
	case unix.ENOTUNIQ:
		return linux.ENOTUNIQ
	case unix.EBADFD:
		return linux.EBADFD
	case unix.EREMCHG:
		return linux.EREMCHG
	case unix.ELIBACC:
		return linux.ELIBACC
	case unix.ELIBBAD:
		return linux.ELIBBAD
	case unix.ELIBSCN:
		return linux.ELIBSCN
	case unix.ELIBMAX:
		return linux.ELIBMAX
	case unix.ELIBEXEC:
		return linux.ELIBEXEC
	case unix.EILSEQ:
		return linux.EILSEQ
	case unix.ERESTART:
		return linux.ERESTART
	case unix.ESTRPIPE:
		return linux.ESTRPIPE
	case unix.EUSERS:
		return linux.EUSERS
	case unix.ENOTSOCK:
		return linux.ENOTSOCK
	case unix.EDESTADDRREQ:
		return linux.EDESTADDRREQ
	case unix.EMSGSIZE:
		return linux.EMSGSIZE
	case unix.EPROTOTYPE:
		return linux.EPROTOTYPE
	case unix.ENOPROTOOPT:
		return linux.ENOPROTOOPT
	case unix.EPROTONOSUPPORT:
		return linux.EPROTONOSUPPORT
	case unix.ESOCKTNOSUPPORT:
		return linux.ESOCKTNOSUPPORT
	case unix.EOPNOTSUPP:
		return linux.EOPNOTSUPP
	case unix.EPFNOSUPPORT:
		return linux.EPFNOSUPPORT
	case unix.EAFNOSUPPORT:
		return linux.EAFNOSUPPORT
	case unix.EADDRINUSE:
		return linux.EADDRINUSE
	case unix.EADDRNOTAVAIL:
		return linux.EADDRNOTAVAIL
	case unix.ENETDOWN:
		return linux.ENETDOWN
	case unix.ENETUNREACH:
		return linux.ENETUNREACH
	case unix.ENETRESET:
		return linux.ENETRESET
	case unix.ECONNABORTED:
		return linux.ECONNABORTED
	case unix.ECONNRESET:
		return linux.ECONNRESET
	case unix.ENOBUFS:
		return linux.ENOBUFS
	case unix.EISCONN:
		return linux.EISCONN
	case unix.ENOTCONN:
		return linux.ENOTCONN
	case unix.ESHUTDOWN:
		return linux.ESHUTDOWN
	case unix.ETOOMANYREFS:
		return linux.ETOOMANYREFS
	case unix.ETIMEDOUT:
		return linux.ETIMEDOUT
	case unix.ECONNREFUSED:
		return linux.ECONNREFUSED
	case unix.EHOSTDOWN:
		return linux.EHOSTDOWN
	case unix.EHOSTUNREACH:
		return linux.EHOSTUNREACH
	case unix.EALREADY:
		return linux.EALREADY
	case unix.EINPROGRESS:
		return linux.EINPROGRESS
	case unix.ESTALE:
		return linux.ESTALE
	case unix.EUCLEAN:
		return linux.EUCLEAN
	case unix.ENOTNAM:
		return linux.ENOTNAM
	case unix.ENAVAIL:
		return linux.ENAVAIL
	case unix.EISNAM:
		return linux.EISNAM
	case unix.EREMOTEIO:
		return linux.EREMOTEIO
	case unix.EDQUOT:
		return linux.EDQUOT
	case unix.ENOMEDIUM:
		return linux.ENOMEDIUM
	case unix.EMEDIUMTYPE:
		return linux.EMEDIUMTYPE
	case unix.ECANCELED:
		return linux.ECANCELED
	case unix.ENOKEY:
		return linux.ENOKEY
	case unix.EKEYEXPIRED:
		return linux.EKEYEXPIRED
	case unix.EKEYREVOKED:
		return linux.EKEYREVOKED
	case unix.EKEYREJECTED:
		return linux.EKEYREJECTED
	case unix.EOWNERDEAD:
		return linux.EOWNERDEAD
	case unix.ENOTRECOVERABLE:
		return linux.ENOTRECOVERABLE
	case unix.ERFKILL:
		return linux.ERFKILL
	case unix.EHWPOISON:
		return linux.EHWPOISON
	}
	return linux.EIO
}

// mmuErrno translates the error of an mmu mapping operation.
func mmuErrno(err error) linux.Errno {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, mmu.ErrInvalid):
		return linux.EINVAL
	case errors.Is(err, mmu.ErrNoMemory):
		return linux.ENOMEM
	case errors.Is(err, mmu.ErrExists):
		return linux.EEXIST
	case errors.Is(err, mmu.ErrAccess):
		return linux.EACCES
	case errors.Is(err, mmu.ErrFault):
		return linux.EFAULT
	case errors.Is(err, mmu.ErrPerm):
		return linux.EPERM
	case errors.Is(err, mmu.ErrNoDevice):
		return linux.ENODEV
	}
	var e unix.Errno
	if errors.As(err, &e) {
		return hostErrno(e)
	}
	return linux.ENOMEM
}
