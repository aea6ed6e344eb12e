// glibc's strerror() texts for the errors a /proc/sys write can give. Node only knows
// libuv's wording ("result too large"), and a shell prints glibc's ("Numerical result
// out of range"), so the ones that matter are spelled out here.
import { getSystemErrorMap } from "node:util";

const GLIBC: Record<string, string> = {
  EPERM: "Operation not permitted",
  ENOENT: "No such file or directory",
  EIO: "Input/output error",
  EACCES: "Permission denied",
  EBUSY: "Device or resource busy",
  EEXIST: "File exists",
  ENODEV: "No such device",
  ENOTDIR: "Not a directory",
  EISDIR: "Is a directory",
  EINVAL: "Invalid argument",
  ENOSPC: "No space left on device",
  EROFS: "Read-only file system",
  ERANGE: "Numerical result out of range",
  EOPNOTSUPP: "Operation not supported",
  EADDRNOTAVAIL: "Cannot assign requested address",
  ENOMEM: "Cannot allocate memory",
};

/** The strerror text for a Node error code ("ENOENT") or errno number. */
export function strerror(code: string | number | undefined): string {
  if (typeof code === "string" && GLIBC[code]) return GLIBC[code];
  const map = getSystemErrorMap();
  const entry =
    typeof code === "number" ? map.get(code) : [...map.values()].find(([name]) => name === code);
  if (!entry) return `Unknown error ${code ?? ""}`.trim();
  const [name, message] = entry;
  if (GLIBC[name]) return GLIBC[name];
  return message.charAt(0).toUpperCase() + message.slice(1);
}
