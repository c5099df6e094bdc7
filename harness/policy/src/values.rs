//! Reading condition values as numbers, dates, booleans, base64 bytes and IP networks.
//!
//! Each reader is strict: text it cannot read gives `None`, and the condition operators treat a
//! value they cannot read as never matching.

use std::net::IpAddr;

/// Reads a decimal number: an optional `-`, digits, and an optional fraction.
///
/// IAM User Guide, reference_policies_elements_condition_operators.html (numeric condition
/// operators) shows integers and decimals; exponents and signs such as `+` are not read.
// Limitation: numbers are compared as 64-bit floating point, so integers beyond 2^53 and
// decimals with more than about 15 significant digits may compare equal when they differ.
pub(crate) fn number(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    if !digits(integer) || fraction.is_some_and(|fraction| !digits(fraction)) {
        return None;
    }
    text.parse().ok()
}

/// Reads `true` or `false` in any letter case.
pub(crate) fn boolean(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Reads a date as nanoseconds since 1970-01-01T00:00:00Z.
///
/// IAM User Guide, reference_policies_elements_condition_operators.html (date condition
/// operators): values are W3C ISO 8601 dates (`2020-01-01`, `2020-01-01T12:00:00Z`, with an
/// optional fraction and `Z` or an offset) or epoch seconds. A time without zone is read as UTC.
// Limitation: only the extended ISO 8601 forms above are read; the basic form
// (`20200101T000000Z`), week and ordinal dates, and fractional epoch seconds never match.
pub(crate) fn date(text: &str) -> Option<i128> {
    if !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()) {
        let seconds: i128 = text.parse().ok()?;
        return Some(seconds * NANOS_PER_SECOND);
    }
    let (day, time) = match text.split_once(['T', 't']) {
        Some((day, time)) => (day, Some(time)),
        None => (text, None),
    };
    let days = calendar_day(day)?;
    let (since_midnight, offset) = match time {
        Some(time) => time_of_day(time)?,
        None => (0, 0),
    };
    Some(i128::from(days) * 86_400 * NANOS_PER_SECOND + since_midnight - offset)
}

const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// Reads `YYYY-MM-DD` as days since 1970-01-01.
fn calendar_day(text: &str) -> Option<i64> {
    let mut parts = text.split('-');
    let year = fixed_digits(parts.next()?, 4)?;
    let month = fixed_digits(parts.next()?, 2)?;
    let day = fixed_digits(parts.next()?, 2)?;
    if parts.next().is_some() || !(1..=12).contains(&month) {
        return None;
    }
    if day < 1 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// Reads `hh:mm[:ss[.fraction]]` and a zone (`Z`, `+hh:mm`, `-hhmm`, or none for UTC), as
/// nanoseconds since midnight and the zone's offset in nanoseconds.
fn time_of_day(text: &str) -> Option<(i128, i128)> {
    let (clock, offset) = split_zone(text)?;
    let mut parts = clock.split(':');
    let hour = fixed_digits(parts.next()?, 2)?;
    let minute = fixed_digits(parts.next()?, 2)?;
    let (second, nanos) = match parts.next() {
        Some(seconds) => seconds_and_fraction(seconds)?,
        None => (0, 0),
    };
    if parts.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let whole = i128::from(hour * 3600 + minute * 60 + second);
    Some((whole * NANOS_PER_SECOND + nanos, offset))
}

fn split_zone(text: &str) -> Option<(&str, i128)> {
    if let Some(clock) = text.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    let Some(sign_at) = text.rfind(['+', '-']) else {
        return Some((text, 0));
    };
    let (clock, zone) = text.split_at(sign_at);
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let zone = zone.get(1..)?;
    let (hours, minutes) = match zone.split_once(':') {
        Some(parts) => parts,
        None => (zone.get(..2)?, zone.get(2..)?),
    };
    let hours = fixed_digits(hours, 2)?;
    let minutes = fixed_digits(minutes, 2)?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some((
        clock,
        sign * i128::from(hours * 3600 + minutes * 60) * NANOS_PER_SECOND,
    ))
}

fn seconds_and_fraction(text: &str) -> Option<(i64, i128)> {
    let (seconds, fraction) = match text.split_once('.') {
        Some((seconds, fraction)) => (seconds, fraction),
        None => (text, ""),
    };
    let seconds = fixed_digits(seconds, 2)?;
    if fraction.len() > 9 || !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    if text.contains('.') && fraction.is_empty() {
        return None;
    }
    // Nine digits at most, so the fraction and the scale both fit; read without allocating.
    let digits: i128 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().ok()?
    };
    let missing = 9 - u32::try_from(fraction.len()).ok()?;
    Some((seconds, digits * 10_i128.pow(missing)))
}

fn fixed_digits(text: &str, len: usize) -> Option<i64> {
    let all_digits = text.len() == len && text.bytes().all(|byte| byte.is_ascii_digit());
    if all_digits { text.parse().ok() } else { None }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Decodes standard base64 (RFC 4648 alphabet, `=` padding optional).
///
/// IAM User Guide, reference_policies_elements_condition_operators.html (binary condition
/// operators): `BinaryEquals` compares bytes against a base64-encoded policy value.
pub(crate) fn base64(text: &str) -> Option<Vec<u8>> {
    let unpadded = text.trim_end_matches('=');
    let padding = text.len() - unpadded.len();
    if padding > 2 || (padding > 0 && !text.len().is_multiple_of(4)) || unpadded.len() % 4 == 1 {
        return None;
    }
    let mut bytes = Vec::with_capacity(unpadded.len() * 3 / 4);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for symbol in unpadded.bytes() {
        // Only the bits not yet emitted are kept, at most 14 of them.
        buffer = ((buffer << 6) | base64_digit(symbol)?) & 0x3FFF;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push(((buffer >> bits) & 0xFF) as u8);
        }
    }
    Some(bytes)
}

fn base64_digit(symbol: u8) -> Option<u32> {
    let value = match symbol {
        b'A'..=b'Z' => symbol - b'A',
        b'a'..=b'z' => symbol - b'a' + 26,
        b'0'..=b'9' => symbol - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(value))
}

/// An IP network: an address and the number of leading bits that must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Network {
    address: IpAddr,
    prefix: u32,
}

impl Network {
    /// Reads `203.0.113.0/24`, `2001:db8::/32`, or a single address (all bits must match).
    ///
    /// IAM User Guide, reference_policies_elements_condition_operators.html (IP address
    /// condition operators): values are in CIDR format, IPv4 or IPv6.
    pub(crate) fn parse(text: &str) -> Option<Network> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address.parse().ok()?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) if prefix.bytes().all(|byte| byte.is_ascii_digit()) => {
                prefix.parse().ok()?
            }
            Some(_) => return None,
            None => max,
        };
        (prefix <= max).then_some(Network { address, prefix })
    }

    /// Whether `address` lies in this network; IPv4 and IPv6 never match each other.
    // Limitation: an IPv4-mapped IPv6 address (`::ffff:203.0.113.9`) does not match an IPv4
    // range, nor an IPv4 address an IPv4-mapped range.
    pub(crate) fn contains(&self, address: IpAddr) -> bool {
        match (self.address, address) {
            (IpAddr::V4(network), IpAddr::V4(address)) => same_prefix(
                u128::from(network.to_bits()) << 96,
                u128::from(address.to_bits()) << 96,
                self.prefix,
            ),
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                same_prefix(network.to_bits(), address.to_bits(), self.prefix)
            }
            _ => false,
        }
    }
}

fn same_prefix(left: u128, right: u128, prefix: u32) -> bool {
    let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
    left & mask == right & mask
}

/// Reads the address of a request's IP key. A CIDR suffix, if any, is ignored once it is a valid
/// one for the address, so that a value the explanation calls unreadable (`10.1.1.1/33`) also
/// matches nothing.
pub(crate) fn address(text: &str) -> Option<IpAddr> {
    Network::parse(text).map(|network| network.address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_strict() {
        assert_eq!(number("5"), Some(5.0));
        assert_eq!(number("-1.25"), Some(-1.25));
        for bad in ["5abc", "", "1.", ".5", "+1", "1e3", "NaN", "inf", " 1"] {
            assert_eq!(number(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_request_address_with_an_invalid_suffix_is_unreadable() {
        assert_eq!(address("10.1.1.1"), "10.1.1.1".parse().ok());
        assert_eq!(address("10.1.1.1/32"), "10.1.1.1".parse().ok());
        assert_eq!(address("2001:db8::1/128"), "2001:db8::1".parse().ok());
        for bad in [
            "10.1.1.1/33",
            "10.1.1.1/",
            "10.1.1.1/x",
            "2001:db8::1/129",
            "bogus",
        ] {
            assert_eq!(address(bad), None, "{bad}");
        }
    }

    #[test]
    fn booleans_ignore_case() {
        assert_eq!(boolean("TRUE"), Some(true));
        assert_eq!(boolean("False"), Some(false));
        assert_eq!(boolean("yes"), None);
    }

    #[test]
    fn dates_in_iso_8601_and_epoch_seconds() {
        let second = NANOS_PER_SECOND;
        assert_eq!(date("1970-01-01"), Some(0));
        assert_eq!(date("1970-01-02T00:00:00Z"), Some(86_400 * second));
        assert_eq!(date("2020-03-01T00:00:00Z"), Some(1_583_020_800 * second));
        assert_eq!(date("1583020800"), date("2020-03-01T00:00:00Z"));
        assert_eq!(
            date("2020-03-01T01:00:00+01:00"),
            date("2020-03-01T00:00:00Z")
        );
        assert_eq!(
            date("2020-02-29T23:00:00-0100"),
            date("2020-03-01T00:00:00Z")
        );
        assert_eq!(
            date("2020-03-01T00:00:00.5Z"),
            Some(1_583_020_800 * second + second / 2)
        );
        assert_eq!(date("2020-03-01T00:00"), date("2020-03-01"));
        for bad in [
            "2019-02-29",
            "2020-13-01",
            "2020-1-01",
            "2020-01-01T25:00:00Z",
            "soon",
            "",
        ] {
            assert_eq!(date(bad), None, "{bad}");
        }
    }

    #[test]
    fn base64_round_trips() {
        assert_eq!(base64("aGVsbG8="), Some(b"hello".to_vec()));
        assert_eq!(base64("aGVsbG8"), Some(b"hello".to_vec()));
        assert_eq!(base64(""), Some(Vec::new()));
        assert_eq!(base64("aGVsbG8=="), None);
        assert_eq!(base64("a"), None);
        assert_eq!(base64("a$=="), None);
    }

    #[test]
    fn networks_contain_addresses() {
        let v4 = Network::parse("203.0.113.0/24").unwrap();
        assert!(v4.contains(address("203.0.113.77").unwrap()));
        assert!(!v4.contains(address("203.0.114.1").unwrap()));
        let single = Network::parse("192.0.2.1").unwrap();
        assert!(single.contains(address("192.0.2.1").unwrap()));
        assert!(!single.contains(address("192.0.2.2").unwrap()));
        let v6 = Network::parse("2001:DB8::/32").unwrap();
        assert!(v6.contains(address("2001:db8:1::1").unwrap()));
        assert!(!v6.contains(address("203.0.113.77").unwrap()));
        let everything = Network::parse("0.0.0.0/0").unwrap();
        assert!(everything.contains(address("8.8.8.8").unwrap()));
        assert_eq!(Network::parse("10.0.0.0/33"), None);
        assert_eq!(Network::parse("10.0.0/8"), None);
    }
}
