//! Sprig's crypto.go: checksums, random values, bcrypt/htpasswd, derivePassword, keys and
//! certificates, AES. Randomness comes from the OS (Sprig uses crypto/rand for these).

use rand_core::{OsRng, RngCore};
use sha1::Digest as _;

use super::util::*;
use crate::func::{Registry, Sig, Ty};

#[allow(unused_imports)]
use Ty::{Any, Bool, Float64, Int, MapAny, String as Str};

/// A uniform random number in `0..n` (n > 0) from the OS generator, without modulo bias.
pub fn rand_below(n: u64) -> u64 {
    if n <= 1 {
        return 0;
    }
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let x = OsRng.next_u64();
        if x < zone {
            return x % n;
        }
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn register(r: &mut Registry) {
    r.insert("sha1sum", Sig::new(&[Str]), |_, a| string(hex(&sha1::Sha1::digest(s(&a[0]).as_bytes()))));
    r.insert("sha256sum", Sig::new(&[Str]), |_, a| {
        string(hex(&sha2::Sha256::digest(s(&a[0]).as_bytes())))
    });
    r.insert("sha512sum", Sig::new(&[Str]), |_, a| {
        string(hex(&sha2::Sha512::digest(s(&a[0]).as_bytes())))
    });
    r.insert("adler32sum", Sig::new(&[Str]), |_, a| {
        let mut h = adler2::Adler32::new();
        h.write_slice(s(&a[0]).as_bytes());
        string(h.checksum().to_string())
    });
}
