//! Sprig's crypto.go: checksums, random values, bcrypt/htpasswd, derivePassword, private
//! keys and certificates, AES-CBC. Randomness comes from the OS, as Sprig's crypto/rand.
//!
//! Keys are written in the PEM/DER shapes Go's x509 package writes (PKCS#1 "RSA PRIVATE
//! KEY", SEC1 "EC PRIVATE KEY" with the curve OID and public key, PKCS#8 v1 "PRIVATE KEY" for
//! Ed25519, Sprig's own "DSA PRIVATE KEY" sequence), built with yasna; certificates are made
//! by rcgen, signed through ring.

use std::any::Any as StdAny;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::rc::Rc;

use base64::Engine as _;
use rand_core::{OsRng, RngCore};
use sha1::Digest as _;

use super::util::*;
use crate::func::{CallCtx, FuncError, Registry, Sig, Ty};
use crate::value::{Data, Object, Value};

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

fn hex(b: &[u8]) -> std::string::String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn register(r: &mut Registry) {
    r.insert("sha1sum", Sig::new(&[Str]), |_, a| {
        string(hex(&sha1::Sha1::digest(s(&a[0]).as_bytes())))
    });
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
    r.insert("bcrypt", Sig::new(&[Str]), |_, a| {
        string(bcrypt_hash(s(&a[0])))
    });
    r.insert("htpasswd", Sig::new(&[Str, Str]), |_, a| {
        let user = s(&a[0]);
        if user.contains(':') {
            return string(format!("invalid username: {user}"));
        }
        string(format!("{user}:{}", bcrypt_hash(s(&a[1]))))
    });
    r.insert("randBytes", Sig::new(&[Int]), |c, a| {
        let n = i(&a[0]);
        if n < 0 {
            return err("runtime error: makeslice: len out of range");
        }
        c.charge(n as u64, n as u64)?;
        let mut buf = vec![0u8; n as usize];
        OsRng.fill_bytes(&mut buf);
        string(base64::engine::general_purpose::STANDARD.encode(buf))
    });
    r.insert("uuidv4", Sig::new(&[]), |_, _| {
        string(uuid::Uuid::new_v4().to_string())
    });
    r.insert(
        "derivePassword",
        Sig::new(&[Int, Str, Str, Str, Str]),
        |_, a| {
            string(derive_password(
                i(&a[0]) as u32,
                s(&a[1]),
                s(&a[2]),
                s(&a[3]),
                s(&a[4]),
            ))
        },
    );
    r.insert("genPrivateKey", Sig::new(&[Str]), |_, a| {
        string(gen_private_key(s(&a[0])))
    });
    r.insert("buildCustomCert", Sig::new(&[Str, Str]), build_custom_cert);
    r.insert("genCA", Sig::new(&[Str, Int]), |_, a| {
        let key = Key::generate_rsa(2048)?;
        cert_value(gen_ca(s(&a[0]), i(&a[1]), &key))
    });
    r.insert("genCAWithKey", Sig::new(&[Str, Int, Str]), |_, a| {
        let key = Key::parse_pem(s(&a[2]))
            .map_err(|e| FuncError::new(format!("parsing private key: {e}")))?;
        cert_value(gen_ca(s(&a[0]), i(&a[1]), &key))
    });
    r.insert(
        "genSelfSignedCert",
        Sig::new(&[Str, Ty::ListAny, Ty::ListAny, Int]),
        |_, a| {
            let key = Key::generate_rsa(2048)?;
            cert_value(gen_cert(s(&a[0]), &a[1], &a[2], i(&a[3]), &key, None))
        },
    );
    r.insert(
        "genSelfSignedCertWithKey",
        Sig::new(&[Str, Ty::ListAny, Ty::ListAny, Int, Str]),
        |_, a| {
            let key = Key::parse_pem(s(&a[4]))
                .map_err(|e| FuncError::new(format!("parsing private key: {e}")))?;
            cert_value(gen_cert(s(&a[0]), &a[1], &a[2], i(&a[3]), &key, None))
        },
    );
    r.insert(
        "genSignedCert",
        Sig::new(&[Str, Ty::ListAny, Ty::ListAny, Int, Any]),
        |_, a| {
            let ca = as_cert(&a[4])?;
            let key = Key::generate_rsa(2048)?;
            cert_value(gen_cert(s(&a[0]), &a[1], &a[2], i(&a[3]), &key, Some(&ca)))
        },
    );
    r.insert(
        "genSignedCertWithKey",
        Sig::new(&[Str, Ty::ListAny, Ty::ListAny, Int, Any, Str]),
        |_, a| {
            let ca = as_cert(&a[4])?;
            let key = Key::parse_pem(s(&a[5]))
                .map_err(|e| FuncError::new(format!("parsing private key: {e}")))?;
            cert_value(gen_cert(s(&a[0]), &a[1], &a[2], i(&a[3]), &key, Some(&ca)))
        },
    );
    r.insert("encryptAES", Sig::new(&[Str, Str]), |_, a| {
        encrypt_aes(s(&a[0]), s(&a[1]))
    });
    r.insert("decryptAES", Sig::new(&[Str, Str]), |_, a| {
        decrypt_aes(s(&a[0]), s(&a[1]))
    });
}

/// golang.org/x/crypto/bcrypt `GenerateFromPassword(p, DefaultCost)`: `$2a$10$…`.
fn bcrypt_hash(p: &str) -> std::string::String {
    match bcrypt::hash_with_result(p, 10) {
        Ok(h) => h.format_for_version(bcrypt::Version::TwoA),
        Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
    }
}

const MP_SEED: &str = "com.lyndir.masterpassword";

fn templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_chars(c: u8) -> &'static str {
    match c {
        b'V' => "AEIOU",
        b'C' => "BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => "aeiou",
        b'c' => "bcdfghjklmnpqrstvwxyz",
        b'A' => "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => "0123456789",
        b'o' => "@&%?,=[]_:-+*$#!'^~;()/.",
        b'x' => "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
        _ => "",
    }
}

/// Sprig `derivePassword`: the Master Password algorithm (scrypt N=32768 r=8 p=2, then
/// HMAC-SHA256 of the site), deterministic.
pub fn derive_password(
    counter: u32,
    kind: &str,
    password: &str,
    user: &str,
    site: &str,
) -> std::string::String {
    use hmac::Mac;
    let Some(tpls) = templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let mut salt = MP_SEED.as_bytes().to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let params = match scrypt::Params::new(15, 8, 2, 64) {
        Ok(p) => p,
        Err(e) => return format!("failed to derive password: {e}"),
    };
    let mut key = [0u8; 64];
    if let Err(e) = scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key) {
        return format!("failed to derive password: {e}");
    }
    let mut msg = MP_SEED.as_bytes().to_vec();
    msg.extend_from_slice(&(site.len() as u32).to_be_bytes());
    msg.extend_from_slice(site.as_bytes());
    msg.extend_from_slice(&counter.to_be_bytes());
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&key).expect("any key length");
    mac.update(&msg);
    let seed = mac.finalize().into_bytes();
    let tpl = tpls[seed[0] as usize % tpls.len()];
    tpl.bytes()
        .enumerate()
        .map(|(k, c)| {
            let chars = template_chars(c).as_bytes();
            chars[seed[k + 1] as usize % chars.len()] as char
        })
        .collect()
}

fn pem_encode(tag: &str, der: Vec<u8>) -> std::string::String {
    pem::encode_config(
        &pem::Pem::new(tag, der),
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    )
}

const OID_EC_PUBLIC_KEY: &[u64] = &[1, 2, 840, 10045, 2, 1];
const OID_P256: &[u64] = &[1, 2, 840, 10045, 3, 1, 7];
const OID_ED25519: &[u64] = &[1, 3, 101, 112];

/// The RSA key of each size generated so far by the renders of one lint (see
/// [`one_rsa_key_per_size`]); clones share the keys, so a render on another thread
/// ([`with_rsa_keys`]) reuses them too.
#[derive(Clone, Default)]
pub struct RsaKeys(
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<usize, rsa::RsaPrivateKey>>>,
);

thread_local! {
    /// Inside [`with_rsa_keys`]: the keys this thread's render reuses.
    static ONE_KEY_PER_SIZE: std::cell::RefCell<Option<RsaKeys>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` (a render on this thread) with one RSA key per size: the first genCA,
/// genSignedCert, genSelfSignedCert or genPrivateKey of a size generates a key, the later
/// ones reuse it. Every certificate is still built and signed as Sprig builds it (its own
/// subject, SANs, validity, serial; a leaf signed by its CA), and every key is a fresh
/// random key of the size Sprig uses, unrelated to any other render's; only the keys of
/// one render are the same key. For linting, where key generation is most of the render
/// of a chart that makes certificates; never for output anyone deploys.
pub fn one_rsa_key_per_size<R>(f: impl FnOnce() -> R) -> R {
    with_rsa_keys(RsaKeys::default(), f)
}

/// The keys of the [`one_rsa_key_per_size`] this thread runs in, for a render of the same
/// lint on another thread.
pub fn current_rsa_keys() -> Option<RsaKeys> {
    ONE_KEY_PER_SIZE.with(|k| k.borrow().clone())
}

/// Runs `f` reusing (and adding to) `keys`, as [`one_rsa_key_per_size`] does.
pub fn with_rsa_keys<R>(keys: RsaKeys, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<RsaKeys>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let before = self.0.take();
            ONE_KEY_PER_SIZE.with(|k| *k.borrow_mut() = before);
        }
    }
    let _restore = Restore(ONE_KEY_PER_SIZE.with(|k| k.replace(Some(keys))));
    f()
}

/// A private key Sprig can produce or read.
enum Key {
    Rsa(Box<rsa::RsaPrivateKey>),
    /// P-256: the 32-byte scalar and the uncompressed public point.
    Ec {
        d: Vec<u8>,
        public: Vec<u8>,
    },
    Ed25519 {
        seed: [u8; 32],
    },
    Dsa(Box<dsa::SigningKey>),
}

impl Key {
    /// Sprig's sizes (2048 for genCA/genSignedCert/genSelfSignedCert, 4096 for
    /// genPrivateKey) are generated by AWS-LC, about 3× faster than the pure-Rust `rsa`
    /// crate's prime search (the bulk of a render that makes certificates), then read into
    /// the `rsa` key the rest of this module encodes and signs with.
    fn generate_rsa(bits: usize) -> Result<Key, FuncError> {
        let Some(RsaKeys(keys)) = current_rsa_keys() else {
            return Self::new_rsa(bits);
        };
        // Held while generating: a render on another thread that needs the same size waits
        // for this key instead of making its own.
        let mut keys = keys.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(key) = keys.get(&bits) {
            return Ok(Key::Rsa(Box::new(key.clone())));
        }
        let key = Self::new_rsa(bits)?;
        if let Key::Rsa(k) = &key {
            keys.insert(bits, (**k).clone());
        }
        Ok(key)
    }

    fn new_rsa(bits: usize) -> Result<Key, FuncError> {
        use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
        use aws_lc_rs::rsa::KeySize;
        use rsa::pkcs8::DecodePrivateKey;
        let error =
            |e: &dyn std::fmt::Display| FuncError::new(format!("error generating rsa key: {e}"));
        let size = match bits {
            2048 => KeySize::Rsa2048,
            4096 => KeySize::Rsa4096,
            _ => {
                return rsa::RsaPrivateKey::new(&mut OsRng, bits)
                    .map(|k| Key::Rsa(Box::new(k)))
                    .map_err(|e| error(&e))
            }
        };
        let pair = aws_lc_rs::rsa::KeyPair::generate(size).map_err(|e| error(&e))?;
        let der: Pkcs8V1Der<'static> = pair.as_der().map_err(|e| error(&e))?;
        rsa::RsaPrivateKey::from_pkcs8_der(der.as_ref())
            .map(|k| Key::Rsa(Box::new(k)))
            .map_err(|e| error(&e))
    }

    fn generate_ec() -> Result<Key, std::string::String> {
        let rng = ring::rand::SystemRandom::new();
        let doc = ring::signature::EcdsaKeyPair::generate_pkcs8(
            &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            &rng,
        )
        .map_err(|_| "failed to generate private key: ecdsa".to_string())?;
        let (d, public) =
            ec_from_pkcs8(doc.as_ref()).ok_or("failed to generate private key: ecdsa")?;
        Ok(Key::Ec { d, public })
    }

    fn generate_ed25519() -> Key {
        let mut seed = [0u8; 32];
        OsRng.fill_bytes(&mut seed);
        Key::Ed25519 { seed }
    }

    fn generate_dsa() -> Result<Key, std::string::String> {
        let comps = dsa::Components::generate(&mut OsRng, dsa::KeySize::DSA_2048_256);
        Ok(Key::Dsa(Box::new(dsa::SigningKey::generate(
            &mut OsRng, comps,
        ))))
    }

    /// Go's PEM block for the key (`pemBlockForKey`).
    fn to_pem(&self) -> std::string::String {
        match self {
            Key::Rsa(k) => {
                use rsa::pkcs1::EncodeRsaPrivateKey;
                let der = k
                    .to_pkcs1_der()
                    .map(|d| d.as_bytes().to_vec())
                    .unwrap_or_default();
                pem_encode("RSA PRIVATE KEY", der)
            }
            Key::Ec { d, public } => pem_encode("EC PRIVATE KEY", sec1_der(d, public, true)),
            Key::Ed25519 { seed } => pem_encode("PRIVATE KEY", ed25519_pkcs8(seed)),
            Key::Dsa(k) => {
                let c = k.verifying_key().components();
                let big = |b: &dsa::BigUint| num_bigint::BigUint::from_bytes_be(&b.to_bytes_be());
                let der = yasna::construct_der(|w| {
                    w.write_sequence(|w| {
                        w.next().write_u8(0);
                        w.next().write_biguint(&big(c.p()));
                        w.next().write_biguint(&big(c.q()));
                        w.next().write_biguint(&big(c.g()));
                        w.next().write_biguint(&big(k.verifying_key().y()));
                        w.next().write_biguint(&big(k.x()));
                    })
                });
                pem_encode("DSA PRIVATE KEY", der)
            }
        }
    }

    /// Sprig `parsePrivateKeyPEM`.
    fn parse_pem(text: &str) -> Result<Key, std::string::String> {
        let block = pem::parse(text.as_bytes()).map_err(|_| "no PEM data in input".to_string())?;
        let tag = block.tag();
        let der = block.contents();
        if tag == "PRIVATE KEY" {
            return pkcs8_key(der)
                .ok_or_else(|| "decoding PEM as PKCS#8: asn1: structure error".to_string());
        }
        let Some(kind) = tag.strip_suffix(" PRIVATE KEY") else {
            return Err(format!("no private key data in PEM block of type {tag}"));
        };
        match kind {
            "RSA" => {
                use rsa::pkcs1::DecodeRsaPrivateKey;
                rsa::RsaPrivateKey::from_pkcs1_der(der)
                    .map(|k| Key::Rsa(Box::new(k)))
                    .map_err(|e| format!("parsing RSA private key from PEM: {e}"))
            }
            "EC" => sec1_parse(der).ok_or_else(|| {
                "parsing EC private key from PEM: x509: failed to parse EC private key".to_string()
            }),
            "DSA" => Err("x509: only RSA, ECDSA and Ed25519 keys supported".into()),
            _ => Err(format!("invalid private key type {tag}")),
        }
    }

    /// rcgen's key pair (PKCS#8 for ring), with the signature algorithm Go would use.
    fn key_pair(&self) -> Result<rcgen::KeyPair, std::string::String> {
        let unsupported = || {
            "error retrieving public key from signee key: x509: only RSA, ECDSA and Ed25519 keys supported".to_string()
        };
        let (der, alg): (Vec<u8>, &'static rcgen::SignatureAlgorithm) = match self {
            Key::Rsa(k) => {
                use rsa::pkcs8::EncodePrivateKey;
                let d = k.to_pkcs8_der().map_err(|e| e.to_string())?;
                (d.as_bytes().to_vec(), &rcgen::PKCS_RSA_SHA256)
            }
            Key::Ec { d, public } => {
                let inner = sec1_der(d, public, false);
                let der = yasna::construct_der(|w| {
                    w.write_sequence(|w| {
                        w.next().write_u8(0);
                        w.next().write_sequence(|w| {
                            w.next()
                                .write_oid(&yasna::models::ObjectIdentifier::from_slice(
                                    OID_EC_PUBLIC_KEY,
                                ));
                            w.next()
                                .write_oid(&yasna::models::ObjectIdentifier::from_slice(OID_P256));
                        });
                        w.next().write_bytes(&inner);
                    })
                });
                (der, &rcgen::PKCS_ECDSA_P256_SHA256)
            }
            Key::Ed25519 { seed } => (ed25519_pkcs8(seed), &rcgen::PKCS_ED25519),
            Key::Dsa(_) => return Err(unsupported()),
        };
        let der = rustls_pki_types::PrivatePkcs8KeyDer::from(der);
        rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&der, alg).map_err(|e| e.to_string())
    }
}

fn ed25519_pkcs8(seed: &[u8; 32]) -> Vec<u8> {
    yasna::construct_der(|w| {
        w.write_sequence(|w| {
            w.next().write_u8(0);
            w.next().write_sequence(|w| {
                w.next()
                    .write_oid(&yasna::models::ObjectIdentifier::from_slice(OID_ED25519));
            });
            let inner = yasna::construct_der(|w| w.write_bytes(seed));
            w.next().write_bytes(&inner);
        })
    })
}

/// SEC1 ECPrivateKey; Go's form carries the curve OID ([0]) and the public key ([1]).
fn sec1_der(d: &[u8], public: &[u8], with_params: bool) -> Vec<u8> {
    yasna::construct_der(|w| {
        w.write_sequence(|w| {
            w.next().write_u8(1);
            w.next().write_bytes(d);
            if with_params {
                w.next().write_tagged(yasna::Tag::context(0), |w| {
                    w.write_oid(&yasna::models::ObjectIdentifier::from_slice(OID_P256))
                });
            }
            w.next().write_tagged(yasna::Tag::context(1), |w| {
                w.write_bitvec_bytes(public, public.len() * 8)
            });
        })
    })
}

fn sec1_parse(der: &[u8]) -> Option<Key> {
    yasna::parse_der(der, |r| {
        r.read_sequence(|r| {
            let _v = r.next().read_u8()?;
            let d = r.next().read_bytes()?;
            let _params =
                r.read_optional(|r| r.read_tagged(yasna::Tag::context(0), |r| r.read_oid()))?;
            let public = r.read_optional(|r| {
                r.read_tagged(yasna::Tag::context(1), |r| {
                    r.read_bitvec_bytes().map(|(b, _)| b)
                })
            })?;
            Ok(Key::Ec {
                d,
                public: public.unwrap_or_default(),
            })
        })
    })
    .ok()
    .filter(|k| matches!(k, Key::Ec { public, .. } if !public.is_empty()))
}

/// The scalar and public point inside ring's PKCS#8 for P-256.
fn ec_from_pkcs8(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let inner = yasna::parse_der(der, |r| {
        r.read_sequence(|r| {
            let _v = r.next().read_u8()?;
            r.next().read_sequence(|r| {
                r.next().read_oid()?;
                r.read_optional(|r| r.read_oid())?;
                Ok(())
            })?;
            r.next().read_bytes()
        })
    })
    .ok()?;
    match sec1_parse(&inner)? {
        Key::Ec { d, public } => Some((d, public)),
        _ => None,
    }
}

/// A PKCS#8 "PRIVATE KEY" (Go's x509.ParsePKCS8PrivateKey): RSA, P-256 or Ed25519.
fn pkcs8_key(der: &[u8]) -> Option<Key> {
    let (oid, body) = yasna::parse_der(der, |r| {
        r.read_sequence(|r| {
            let _v = r.next().read_u8()?;
            let oid = r.next().read_sequence(|r| {
                let o = r.next().read_oid()?;
                r.read_optional(|r| r.read_der())?;
                Ok(o)
            })?;
            let body = r.next().read_bytes()?;
            r.read_optional(|r| r.read_der())?;
            Ok((oid, body))
        })
    })
    .ok()?;
    let comps: Vec<u64> = oid.components().to_vec();
    if comps == OID_ED25519 {
        let seed: Vec<u8> = yasna::parse_der(&body, |r| r.read_bytes()).ok()?;
        return Some(Key::Ed25519 {
            seed: seed.try_into().ok()?,
        });
    }
    if comps == OID_EC_PUBLIC_KEY {
        return sec1_parse(&body);
    }
    use rsa::pkcs8::DecodePrivateKey;
    rsa::RsaPrivateKey::from_pkcs8_der(der)
        .ok()
        .map(|k| Key::Rsa(Box::new(k)))
}

fn gen_private_key(kind: &str) -> std::string::String {
    let key = match kind {
        "" | "rsa" => Key::generate_rsa(4096).map_err(|e| e.message),
        "dsa" => Key::generate_dsa(),
        "ecdsa" => Key::generate_ec(),
        "ed25519" => Ok(Key::generate_ed25519()),
        other => return format!("Unknown type {other}"),
    };
    match key {
        Ok(k) => k.to_pem(),
        Err(e) => format!("failed to generate private key: {e}"),
    }
}

/// Sprig's `certificate` struct: `.Cert` and `.Key` (PEM).
#[derive(Clone, Debug)]
pub struct Certificate {
    pub cert: std::string::String,
    pub key: std::string::String,
}

impl Object for Certificate {
    fn type_name(&self) -> Cow<'_, str> {
        "sprig.certificate".into()
    }
    fn kind_name(&self) -> &'static str {
        "struct"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::string(self.cert.as_str())),
            "Key" => Some(Value::string(self.key.as_str())),
            _ => None,
        }
    }
    fn go_string(&self) -> std::string::String {
        format!("{{{} {}}}", self.cert, self.key)
    }
    fn to_plain(&self) -> Option<Value> {
        let mut m: BTreeMap<Rc<str>, Value> = BTreeMap::new();
        m.insert("Cert".into(), Value::string(self.cert.as_str()));
        m.insert("Key".into(), Value::string(self.key.as_str()));
        Some(Value::map(m))
    }
    fn as_any(&self) -> &dyn StdAny {
        self
    }
}

fn cert_value(c: Result<Certificate, std::string::String>) -> R {
    c.map(Value::object).map_err(FuncError::new)
}

fn as_cert(v: &Value) -> Result<Certificate, FuncError> {
    if let Data::Object(o) = &v.data {
        if let Some(c) = o.as_any().downcast_ref::<Certificate>() {
            return Ok(c.clone());
        }
    }
    err(format!(
        "wrong type for value; expected sprig.certificate; got {}",
        v.type_name()
    ))
}

fn build_custom_cert(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let b64 = base64::engine::general_purpose::STANDARD;
    let cert = b64
        .decode(s(&a[0]))
        .map_err(|_| FuncError::new("unable to decode base64 certificate"))?;
    let key = b64
        .decode(s(&a[1]))
        .map_err(|_| FuncError::new("unable to decode base64 private key"))?;
    let block = pem::parse(&cert).map_err(|_| FuncError::new("unable to decode certificate"))?;
    x509_parser::parse_x509_certificate(block.contents()).map_err(|_| {
        FuncError::new("error parsing certificate: decodedCert.Bytes: x509: malformed certificate")
    })?;
    let key_txt = std::string::String::from_utf8_lossy(&key).into_owned();
    Key::parse_pem(&key_txt)
        .map_err(|e| FuncError::new(format!("error parsing private key: {e}")))?;
    Ok(Value::object(Certificate {
        cert: std::string::String::from_utf8_lossy(&cert).into_owned(),
        key: key_txt,
    }))
}

/// Sprig `getBaseCertTemplate`: CN only, a random 128-bit serial, valid from now for
/// `days` days, KeyEncipherment|DigitalSignature, serverAuth+clientAuth, basic constraints.
fn base_params(
    cn: &str,
    ips: &[std::net::IpAddr],
    dns: &[std::string::String],
    days: i64,
) -> Result<rcgen::CertificateParams, std::string::String> {
    let mut p = rcgen::CertificateParams::default();
    let mut serial = [0u8; 16];
    OsRng.fill_bytes(&mut serial);
    serial[0] &= 0x7f;
    p.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, cn);
    p.distinguished_name = dn;
    let now = time::OffsetDateTime::now_utc();
    p.not_before = now;
    p.not_after = now + time::Duration::days(days);
    p.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyEncipherment,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    p.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
    ];
    p.is_ca = rcgen::IsCa::ExplicitNoCa;
    for ip in ips {
        p.subject_alt_names.push(rcgen::SanType::IpAddress(*ip));
    }
    for d in dns {
        let name = rcgen::Ia5String::try_from(d.as_str())
            .map_err(|e| format!("error creating certificate: {e}"))?;
        p.subject_alt_names.push(rcgen::SanType::DnsName(name));
    }
    Ok(p)
}

fn gen_ca(cn: &str, days: i64, key: &Key) -> Result<Certificate, std::string::String> {
    let mut p = base_params(cn, &[], &[], days)?;
    p.key_usages.push(rcgen::KeyUsagePurpose::KeyCertSign);
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let kp = key.key_pair()?;
    let c = p
        .self_signed(&kp)
        .map_err(|e| format!("error creating certificate: {e}"))?;
    Ok(Certificate {
        cert: pem_encode("CERTIFICATE", c.der().to_vec()),
        key: key.to_pem(),
    })
}

fn ips_of(v: &Value) -> Result<Vec<std::net::IpAddr>, std::string::String> {
    let Some(l) = v.as_list() else {
        return Ok(vec![]);
    };
    l.items
        .iter()
        .map(|x| match x.as_str() {
            Some(s) => s.parse().map_err(|_| format!("error parsing ip: {s}")),
            None => Err(format!(
                "error parsing ip: {} is not a string",
                crate::gofmt::sprint_value(x)
            )),
        })
        .collect()
}

fn dns_of(v: &Value) -> Result<Vec<std::string::String>, std::string::String> {
    let Some(l) = v.as_list() else {
        return Ok(vec![]);
    };
    l.items
        .iter()
        .map(|x| match x.as_str() {
            Some(s) => Ok(s.to_string()),
            None => Err(format!(
                "error processing alternate dns name: {} is not a string",
                crate::gofmt::sprint_value(x)
            )),
        })
        .collect()
}

fn gen_cert(
    cn: &str,
    ips: &Value,
    dns: &Value,
    days: i64,
    key: &Key,
    ca: Option<&Certificate>,
) -> Result<Certificate, std::string::String> {
    let ips = ips_of(ips)?;
    let dns = dns_of(dns)?;
    let mut p = base_params(cn, &ips, &dns, days)?;
    let kp = key.key_pair()?;
    let der = match ca {
        None => p
            .self_signed(&kp)
            .map_err(|e| format!("error creating certificate: {e}"))?
            .der()
            .to_vec(),
        Some(ca) => {
            let ca_params = rcgen::CertificateParams::from_ca_cert_pem(&ca.cert)
                .map_err(|e| format!("error parsing certificate: decodedSignerCert.Bytes: {e}"))?;
            let ca_key =
                Key::parse_pem(&ca.key).map_err(|e| format!("error parsing private key: {e}"))?;
            let ca_kp = ca_key.key_pair()?;
            let issuer = ca_params
                .self_signed(&ca_kp)
                .map_err(|e| format!("error creating certificate: {e}"))?;
            p.use_authority_key_identifier_extension = true;
            p.signed_by(&kp, &issuer, &ca_kp)
                .map_err(|e| format!("error creating certificate: {e}"))?
                .der()
                .to_vec()
        }
    };
    Ok(Certificate {
        cert: pem_encode("CERTIFICATE", der),
        key: key.to_pem(),
    })
}

/// Sprig `encryptAES`: AES-256-CBC, key = password zero-padded/truncated to 32 bytes, PKCS#7,
/// random IV prepended, base64.
fn encrypt_aes(password: &str, plain: &str) -> R {
    use cbc::cipher::{BlockEncryptMut, KeyIvInit};
    if plain.is_empty() {
        return string("");
    }
    let mut key = [0u8; 32];
    let pb = password.as_bytes();
    key[..pb.len().min(32)].copy_from_slice(&pb[..pb.len().min(32)]);
    let mut iv = [0u8; 16];
    OsRng.fill_bytes(&mut iv);
    let ct = cbc::Encryptor::<aes::Aes256>::new(&key.into(), &iv.into())
        .encrypt_padded_vec_mut::<cbc::cipher::block_padding::Pkcs7>(plain.as_bytes());
    let mut out = iv.to_vec();
    out.extend_from_slice(&ct);
    string(base64::engine::general_purpose::STANDARD.encode(out))
}

/// Sprig `decryptAES` (no padding check: the last byte says how much to drop, as in Sprig).
fn decrypt_aes(password: &str, b64: &str) -> R {
    use cbc::cipher::{BlockDecryptMut, KeyIvInit};
    if b64.is_empty() {
        return string("");
    }
    let mut key = [0u8; 32];
    let pb = password.as_bytes();
    key[..pb.len().min(32)].copy_from_slice(&pb[..pb.len().min(32)]);
    let data = super::encoding::go_b64_decode(b64).map_err(FuncError::new)?;
    if data.len() < 16 {
        return err(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            data.len()
        ));
    }
    let (iv, ct) = data.split_at(16);
    if ct.len() % 16 != 0 {
        return err("crypto/cipher: input not full blocks");
    }
    let iv: [u8; 16] = iv.try_into().unwrap();
    let mut buf = ct.to_vec();
    let dec = cbc::Decryptor::<aes::Aes256>::new(&key.into(), &iv.into())
        .decrypt_padded_mut::<cbc::cipher::block_padding::NoPadding>(&mut buf)
        .map_err(|_| FuncError::new("crypto/cipher: input not full blocks"))?;
    let Some(&last) = dec.last() else {
        return err("runtime error: index out of range [-1]");
    };
    let cut = dec.len().checked_sub(last as usize).ok_or_else(|| {
        FuncError::new(format!(
            "runtime error: slice bounds out of range [:{}]",
            dec.len() as i64 - last as i64
        ))
    })?;
    string(std::string::String::from_utf8_lossy(&dec[..cut]).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let ec = gen_private_key("ecdsa");
        assert!(
            ec.starts_with("-----BEGIN EC PRIVATE KEY-----\n")
                && ec.ends_with("-----END EC PRIVATE KEY-----\n")
        );
        assert!(matches!(Key::parse_pem(&ec), Ok(Key::Ec { .. })));
        let ed = gen_private_key("ed25519");
        assert!(matches!(Key::parse_pem(&ed), Ok(Key::Ed25519 { .. })));
        assert_eq!(gen_private_key("nope"), "Unknown type nope");
        let h = bcrypt_hash("secret");
        assert!(h.starts_with("$2a$10$") && bcrypt::verify("secret", &h).unwrap());
        // Certificates with an EC key (RSA generation is slow unoptimised).
        let key = Key::parse_pem(&ec).unwrap();
        let ca = gen_ca("my-ca", 365, &key).unwrap();
        let leaf_key = Key::parse_pem(&gen_private_key("ecdsa")).unwrap();
        let ips = Value::list(vec![Value::string("10.0.0.1")]);
        let dns = Value::list(vec![Value::string("a.example")]);
        let leaf = gen_cert("leaf", &ips, &dns, 30, &leaf_key, Some(&ca)).unwrap();
        let block = pem::parse(leaf.cert.as_bytes()).unwrap();
        let (_, x) = x509_parser::parse_x509_certificate(block.contents()).unwrap();
        assert_eq!(
            x.subject()
                .iter_common_name()
                .next()
                .unwrap()
                .as_str()
                .unwrap(),
            "leaf"
        );
        assert_eq!(
            x.issuer()
                .iter_common_name()
                .next()
                .unwrap()
                .as_str()
                .unwrap(),
            "my-ca"
        );
        assert!(!x.is_ca());
    }

    #[test]
    fn aes_round_trip() {
        let mut c = 0;
        let enc = encrypt_aes("key", "hello").unwrap();
        let dec = decrypt_aes("key", enc.as_str().unwrap()).unwrap();
        assert_eq!(dec.as_str(), Some("hello"));
        c += 1;
        assert_eq!(c, 1);
    }
}

#[cfg(test)]
mod one_key_tests {
    use super::{current_rsa_keys, one_rsa_key_per_size, with_rsa_keys, Key};

    fn rsa(key: Key) -> rsa::RsaPrivateKey {
        match key {
            Key::Rsa(k) => *k,
            _ => unreachable!("an RSA key was asked for"),
        }
    }

    #[test]
    fn one_key_per_size_inside_fresh_keys_outside() {
        let (a, b) = one_rsa_key_per_size(|| {
            (
                rsa(Key::generate_rsa(2048).unwrap()),
                rsa(Key::generate_rsa(2048).unwrap()),
            )
        });
        assert_eq!(a, b);
        let c = rsa(Key::generate_rsa(2048).unwrap());
        let d = rsa(Key::generate_rsa(2048).unwrap());
        assert_ne!(a, c);
        assert_ne!(c, d);
        // A second scope starts with no key.
        let e = one_rsa_key_per_size(|| rsa(Key::generate_rsa(2048).unwrap()));
        assert_ne!(a, e);
    }

    /// A render of the same lint on another thread (the `--is-upgrade` one) reuses the keys:
    /// both threads asking at once get one key, not one each.
    #[test]
    fn threads_given_the_keys_share_them() {
        let (a, b) = one_rsa_key_per_size(|| {
            let keys = current_rsa_keys().expect("inside one_rsa_key_per_size");
            std::thread::scope(|s| {
                let other =
                    s.spawn(|| with_rsa_keys(keys, || rsa(Key::generate_rsa(2048).unwrap())));
                let mine = rsa(Key::generate_rsa(2048).unwrap());
                (mine, other.join().unwrap())
            })
        });
        assert_eq!(a, b);
        assert!(current_rsa_keys().is_none());
    }
}
