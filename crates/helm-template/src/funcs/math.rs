//! Sprig's numeric.go: int64 arithmetic through spf13/cast, float arithmetic through
//! shopspring/decimal (exact decimal of each float's shortest form; division rounded to 16
//! places), conversions.

use num_bigint::BigInt;

use super::util::*;
use crate::func::{CallCtx, Registry, Sig, Ty};
use crate::value::Value;

#[allow(unused_imports)]
use Ty::{Any, Bool, Float64, Int, MapAny, String as Str};

pub fn register(r: &mut Registry) {
    r.insert("atoi", Sig::new(&[Str]), |_, a| {
        Ok(Value::int(s(&a[0]).parse::<i64>().unwrap_or(0)))
    });
    r.insert("int64", Sig::new(&[Any]), |_, a| {
        Ok(Value::int64(to_int64(&a[0])))
    });
    r.insert("int", Sig::new(&[Any]), |_, a| {
        Ok(Value::int(to_int64(&a[0])))
    });
    r.insert("float64", Sig::new(&[Any]), |_, a| {
        Ok(Value::float(to_float64(&a[0])))
    });
    r.insert("toDecimal", Sig::new(&[Any]), |_, a| {
        let txt = crate::gofmt::sprint_value(&a[0]);
        Ok(Value::int64(parse_octal(&txt).unwrap_or(0)))
    });
    r.insert("add1", Sig::new(&[Any]), |_, a| {
        Ok(Value::int64(to_int64(&a[0]).wrapping_add(1)))
    });
    r.insert("add", Sig::variadic(&[], Any), |_, a| {
        Ok(Value::int64(
            a.iter().fold(0i64, |acc, x| acc.wrapping_add(to_int64(x))),
        ))
    });
    r.insert("sub", Sig::new(&[Any, Any]), |_, a| {
        Ok(Value::int64(to_int64(&a[0]).wrapping_sub(to_int64(&a[1]))))
    });
    r.insert("div", Sig::new(&[Any, Any]), |_, a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return err("runtime error: integer divide by zero");
        }
        Ok(Value::int64(to_int64(&a[0]).wrapping_div(d)))
    });
    r.insert("mod", Sig::new(&[Any, Any]), |_, a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return err("runtime error: integer divide by zero");
        }
        Ok(Value::int64(to_int64(&a[0]).wrapping_rem(d)))
    });
    r.insert("mul", Sig::variadic(&[Any], Any), |_, a| {
        Ok(Value::int64(
            a[1..]
                .iter()
                .fold(to_int64(&a[0]), |acc, x| acc.wrapping_mul(to_int64(x))),
        ))
    });
    r.insert("randInt", Sig::new(&[Int, Int]), rand_int);
    r.insert("add1f", Sig::new(&[Any]), |_, a| {
        dec_op(&a[0], &[Value::int(1)], Op::Add)
    });
    r.insert("addf", Sig::variadic(&[], Any), |_, a| {
        dec_op(&Value::float(0.0), &a, Op::Add)
    });
    r.insert("subf", Sig::variadic(&[Any], Any), |_, a| {
        dec_op(&a[0], &a[1..], Op::Sub)
    });
    r.insert("divf", Sig::variadic(&[Any], Any), |_, a| {
        dec_op(&a[0], &a[1..], Op::Div)
    });
    r.insert("mulf", Sig::variadic(&[Any], Any), |_, a| {
        dec_op(&a[0], &a[1..], Op::Mul)
    });
    for n in ["biggest", "max"] {
        r.insert(n, Sig::variadic(&[Any], Any), |_, a| {
            Ok(Value::int64(
                a[1..].iter().map(to_int64).fold(to_int64(&a[0]), i64::max),
            ))
        });
    }
    r.insert("min", Sig::variadic(&[Any], Any), |_, a| {
        Ok(Value::int64(
            a[1..].iter().map(to_int64).fold(to_int64(&a[0]), i64::min),
        ))
    });
    r.insert("maxf", Sig::variadic(&[Any], Any), |_, a| {
        Ok(Value::float(
            a[1..]
                .iter()
                .map(to_float64)
                .fold(to_float64(&a[0]), go_max),
        ))
    });
    r.insert("minf", Sig::variadic(&[Any], Any), |_, a| {
        Ok(Value::float(
            a[1..]
                .iter()
                .map(to_float64)
                .fold(to_float64(&a[0]), go_min),
        ))
    });
    r.insert("ceil", Sig::new(&[Any]), |_, a| {
        Ok(Value::float(to_float64(&a[0]).ceil()))
    });
    r.insert("floor", Sig::new(&[Any]), |_, a| {
        Ok(Value::float(to_float64(&a[0]).floor()))
    });
    r.insert("round", Sig::variadic(&[Any, Int], Float64), |_, a| {
        let round_on = a.get(2).map(to_float64).unwrap_or(0.5);
        let val = to_float64(&a[0]);
        let pow = 10f64.powf(i(&a[1]) as f64);
        let digit = pow * val;
        let frac = digit.fract();
        let r = if frac >= round_on {
            digit.ceil()
        } else {
            digit.floor()
        };
        Ok(Value::float(r / pow))
    });
}

/// Go's `math.Max`/`math.Min` (NaN wins).
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}
fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

/// `strconv.ParseInt(s, 8, 64)`.
fn parse_octal(s: &str) -> Option<i64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if body.is_empty() {
        return None;
    }
    let v = i64::from_str_radix(body, 8).ok()?;
    Some(if neg { -v } else { v })
}

fn rand_int(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let (min, max) = (i(&a[0]), i(&a[1]));
    let n = max.wrapping_sub(min);
    if n <= 0 {
        return err("invalid argument to Intn");
    }
    Ok(Value::int(super::crypto::rand_below(n as u64) as i64 + min))
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// A decimal m × 10^e (shopspring/decimal's model).
#[derive(Clone, Debug)]
struct Dec {
    m: BigInt,
    e: i32,
}

impl Dec {
    /// `decimal.NewFromFloat`: the shortest decimal that round-trips.
    fn from_f64(f: f64) -> Dec {
        if f == 0.0 || !f.is_finite() {
            return Dec {
                m: BigInt::from(0),
                e: 0,
            };
        }
        let txt = format!("{:e}", f);
        let (mant, exp) = txt.split_once('e').unwrap_or((&txt, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let neg = mant.starts_with('-');
        let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
        let n = digits.len() as i32;
        let mut m: BigInt = digits.parse().unwrap_or_default();
        if neg {
            m = -m;
        }
        Dec {
            m,
            e: exp - (n - 1),
        }
    }

    fn align(a: &Dec, b: &Dec) -> (BigInt, BigInt, i32) {
        let e = a.e.min(b.e);
        let ten = BigInt::from(10);
        let am = &a.m * ten.pow((a.e - e) as u32);
        let bm = &b.m * ten.pow((b.e - e) as u32);
        (am, bm, e)
    }

    fn op(&self, o: &Dec, op: Op) -> Result<Dec, String> {
        Ok(match op {
            Op::Add => {
                let (a, b, e) = Dec::align(self, o);
                Dec { m: a + b, e }
            }
            Op::Sub => {
                let (a, b, e) = Dec::align(self, o);
                Dec { m: a - b, e }
            }
            Op::Mul => Dec {
                m: &self.m * &o.m,
                e: self.e + o.e,
            },
            Op::Div => {
                if o.m == BigInt::from(0) {
                    return Err("decimal division by 0".into());
                }
                // DivRound(o, 16): round(self/o × 10^16) half away from zero, exponent -16.
                let ten = BigInt::from(10);
                let shift = self.e - o.e + 16;
                let (mut num, mut den) = (self.m.clone(), o.m.clone());
                if shift >= 0 {
                    num *= ten.pow(shift as u32);
                } else {
                    den *= ten.pow((-shift) as u32);
                }
                let neg = (num < BigInt::from(0)) != (den < BigInt::from(0));
                let (num, den) = (num.magnitude().clone(), den.magnitude().clone());
                let q = &num / &den;
                let r = &num % &den;
                let q = if r * 2u32 >= den { q + 1u32 } else { q };
                let q = BigInt::from(q);
                Dec {
                    m: if neg { -q } else { q },
                    e: -16,
                }
            }
        })
    }

    fn to_f64(&self) -> f64 {
        format!("{}e{}", self.m, self.e).parse().unwrap_or(0.0)
    }
}

fn dec_op(first: &Value, rest: &[Value], op: Op) -> R {
    let mut acc = Dec::from_f64(to_float64(first));
    for x in rest {
        acc = acc
            .op(&Dec::from_f64(to_float64(x)), op)
            .map_err(crate::func::FuncError::new)?;
    }
    Ok(Value::float(acc.to_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_ops() {
        let d = |x: f64| Dec::from_f64(x);
        assert_eq!(d(0.1).op(&d(0.2), Op::Add).unwrap().to_f64(), 0.3);
        assert_eq!(
            d(10.0).op(&d(3.0), Op::Div).unwrap().to_f64(),
            3.3333333333333335
        );
        assert_eq!(d(1.1).op(&d(3.0), Op::Mul).unwrap().to_f64(), 3.3);
        assert!(d(1.0).op(&d(0.0), Op::Div).is_err());
        assert_eq!(parse_octal("17"), Some(15));
    }
}
