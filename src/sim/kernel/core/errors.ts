// Errors of the simulated kernel: an errno plus, where the kernel gives one, its extack
// message. Userland turns them into the real program's text and exit code.

export type Errno =
  | "EEXIST"
  | "ENOENT"
  | "ESRCH"
  | "EINVAL"
  | "ENODEV"
  | "ENETUNREACH"
  | "EHOSTUNREACH"
  | "EACCES"
  | "EPERM"
  | "EBUSY"
  | "EADDRNOTAVAIL"
  | "EOPNOTSUPP"
  | "ERANGE"
  | "ENOTSUP"
  | "ELOOP"
  | "ENETDOWN"
  | "ECONNREFUSED"
  | "ETIMEDOUT"
  | "ECONNRESET"
  | "EADDRINUSE"
  | "EINPROGRESS"
  | "EPROTO"
  | "ENOPROTOOPT"
  | "EHOSTDOWN"
  | "ENONET"
  | "EMSGSIZE";

export const STRERROR: Record<Errno, string> = {
  EEXIST: "File exists",
  ENOENT: "No such file or directory",
  ESRCH: "No such process",
  EINVAL: "Invalid argument",
  ENODEV: "No such device",
  ENETUNREACH: "Network is unreachable",
  EHOSTUNREACH: "No route to host",
  EACCES: "Permission denied",
  EPERM: "Operation not permitted",
  EBUSY: "Device or resource busy",
  EADDRNOTAVAIL: "Cannot assign requested address",
  EOPNOTSUPP: "Operation not supported",
  ERANGE: "Numerical result out of range",
  ENOTSUP: "Operation not supported",
  ELOOP: "Too many levels of symbolic links",
  ENETDOWN: "Network is down",
  ECONNREFUSED: "Connection refused",
  ETIMEDOUT: "Connection timed out",
  ECONNRESET: "Connection reset by peer",
  EADDRINUSE: "Address already in use",
  EINPROGRESS: "Operation now in progress",
  EPROTO: "Protocol error",
  ENOPROTOOPT: "Protocol not available",
  EHOSTDOWN: "Host is down",
  ENONET: "Machine is not on the network",
  EMSGSIZE: "Message too long",
};

export class KernelError extends Error {
  constructor(
    readonly errno: Errno,
    readonly extack?: string,
  ) {
    super(extack ?? STRERROR[errno]);
    this.name = "KernelError";
  }
}

export function kfail(errno: Errno, extack?: string): never {
  throw new KernelError(errno, extack);
}
