"""Independent LP oracle for the tests: enumerate LP<n,es,rs,sf> values from the bit patterns
(docs/guide/tapered.md) and round to the nearest value in the log2 domain (§3.4)."""

import numpy as np


def lp_values(n, es, rs, sf):
    vals = []
    for p in range(1, 2 ** (n - 1)):
        bits = [(p >> (n - 2 - i)) & 1 for i in range(n - 1)]
        first = bits[0]
        m = 0
        while m < len(bits) and bits[m] == first and m < rs:
            m += 1
        pos = m + (1 if (m < rs and m < len(bits)) else 0)
        k = m - 1 if first == 1 else -m
        rest = bits[pos:]
        ebits = (rest[:es] + [0] * es)[:es]
        e = 0
        for b in ebits:
            e = 2 * e + b
        fb = rest[es:]
        f = 0.0
        for i, b in enumerate(fb):
            f += b * 2.0 ** -(i + 1)
        vals.append(2.0 ** (2**es * k + e + f - sf))
    return np.unique(np.array(vals))


class OracleLP:
    """Frozen-like LP quantizer (hashable) built on the enumeration above."""

    def __init__(self, n, es, rs, sf):
        self.n, self.es, self.rs, self.sf = int(n), int(es), int(rs), float(sf)
        self._v = lp_values(self.n, self.es, self.rs, self.sf)
        self._lv = np.log2(self._v)
        self.maxpos = float(self._v[-1])

    def __hash__(self):
        return hash((self.n, self.es, self.rs, self.sf))

    def __eq__(self, other):
        return isinstance(other, OracleLP) and hash(self) == hash(other)

    def quantize(self, x):
        a = np.abs(np.asarray(x, dtype=np.float64))
        la = np.log2(np.maximum(a, 1e-300))
        mid = (self._lv[1:] + self._lv[:-1]) / 2
        idx = np.searchsorted(mid, la)
        y = self._v[idx] * np.sign(x)
        y[a == 0] = 0.0
        return y.astype(np.asarray(x).dtype)


def oracle_factory(n, es, rs, sf):
    return OracleLP(n, es, rs, sf)
