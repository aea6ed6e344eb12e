// The listing format flags of xshared.h (FMT_*) and the number printing of
// xtables.c xtables_print_num: -L without -x shrinks counters to K/M/G/T in 5 columns.

export interface Format {
  numeric: boolean;
  /** No packet/byte columns (no -v). */
  noCounts: boolean;
  /** The in/out columns (-v). */
  via: boolean;
  /** Counters shortened with K/M/G/T (no -x). */
  kmg: boolean;
  lineNumbers: boolean;
  /** One-line form used when -v prints a rule it adds (FMT_PRINT_RULE). */
  noTable: boolean;
}

export function listFormat(o: {
  numeric: boolean;
  verbose: boolean;
  exact: boolean;
  lineNumbers: boolean;
}): Format {
  return {
    numeric: o.numeric,
    noCounts: !o.verbose,
    via: o.verbose,
    kmg: !o.exact,
    lineNumbers: o.lineNumbers,
    noTable: false,
  };
}

/** FMT_PRINT_RULE: what -A/-I/-D/-R/-C -v print for each rule. */
export const PRINT_RULE: Format = {
  numeric: true,
  noCounts: true,
  via: true,
  kmg: false,
  lineNumbers: false,
  noTable: true,
};

/** FMT(tab, notab) with the value padded as printf would. */
export function printNum(n: number, f: Format): string {
  if (!f.kmg) return f.noTable ? `${n} ` : `${String(n).padStart(8)} `;
  if (n <= 99999) return f.noTable ? `${n} ` : `${String(n).padStart(5)} `;
  let v = n;
  for (const unit of ["K", "M", "G"]) {
    v = Math.floor((v + 500) / 1000);
    if (v <= 9999) return f.noTable ? `${v}${unit} ` : `${String(v).padStart(4)}${unit} `;
  }
  v = Math.floor((v + 500) / 1000);
  return f.noTable ? `${v}T ` : `${String(v).padStart(4)}T `;
}
