//! The canonical request of AWS Signature Version 4, shared by the verifier and the signer.

use http::HeaderMap;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

/// Everything except the unreserved characters of RFC 3986, which SigV4 leaves as they are.
const SIGV4_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The parts of an HTTP request that the signature covers, as they travel on the wire.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestParts<'a> {
    /// The HTTP method, e.g. `POST`.
    pub method: &'a str,
    /// The path as sent, still percent-encoded.
    pub raw_path: &'a str,
    /// The query string as sent, without the `?`.
    pub raw_query: Option<&'a str>,
    /// The request headers.
    pub headers: &'a HeaderMap,
}

/// A signed header named in the authorization but not present in the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MissingHeader(pub String);

/// Lowercase hex of the SHA-256 of `data`.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Percent-encodes `text` the way SigV4 does: everything but `A-Z a-z 0-9 - _ . ~`.
pub(crate) fn uri_encode(text: &str) -> String {
    utf8_percent_encode(text, SIGV4_ENCODE).to_string()
}

/// The canonical URI. S3 signs the path exactly as sent; the other services sign each path
/// segment encoded once more, because their SDKs encode the already-encoded path again.
pub(crate) fn canonical_uri(raw_path: &str, is_s3: bool) -> String {
    if raw_path.is_empty() {
        return "/".to_owned();
    }
    if is_s3 {
        return raw_path.to_owned();
    }

    // Limitation: dot segments (`.` and `..`) are not removed before encoding, as the SDKs
    // would do; a request whose path contains them fails verification instead of passing.
    raw_path
        .split('/')
        .map(uri_encode)
        .collect::<Vec<_>>()
        .join("/")
}

/// The canonical query string: every name and value decoded, encoded again strictly, sorted by
/// name and then value, joined with `&`.
pub(crate) fn canonical_query(raw_query: Option<&str>) -> String {
    let Some(raw_query) = raw_query else {
        return String::new();
    };
    let mut pairs: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (reencode(name), reencode(value))
        })
        .collect();
    pairs.sort();

    pairs
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Decodes a query component as sent and encodes it the SigV4 way.
fn reencode(component: &str) -> String {
    let decoded = percent_decode_str(component).decode_utf8_lossy();
    uri_encode(&decoded)
}

/// The canonical headers block (each `name:value\n`) for the signed header names, in order.
pub(crate) fn canonical_headers(
    headers: &HeaderMap,
    signed_headers: &[String],
) -> Result<String, MissingHeader> {
    let mut block = String::new();
    for name in signed_headers {
        let values: Vec<String> = headers
            .get_all(name.as_str())
            .iter()
            .map(|value| normalize_header_value(&String::from_utf8_lossy(value.as_bytes())))
            .collect();
        if values.is_empty() {
            return Err(MissingHeader(name.clone()));
        }
        block.push_str(name);
        block.push(':');
        block.push_str(&values.join(","));
        block.push('\n');
    }
    Ok(block)
}

/// Trims a header value and collapses each run of inner spaces into one.
fn normalize_header_value(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The whole canonical request.
pub(crate) fn canonical_request(
    parts: &RequestParts<'_>,
    signed_headers: &[String],
    payload_hash: &str,
    is_s3: bool,
) -> Result<String, MissingHeader> {
    let headers = canonical_headers(parts.headers, signed_headers)?;
    Ok(format!(
        "{method}\n{uri}\n{query}\n{headers}\n{signed}\n{payload_hash}",
        method = parts.method,
        uri = canonical_uri(parts.raw_path, is_s3),
        query = canonical_query(parts.raw_query),
        signed = signed_headers.join(";"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn query_is_sorted_and_reencoded() {
        let query = canonical_query(Some("b=2&a=x%20y&a=1&flag&c=a+b"));
        assert_eq!(query, "a=1&a=x%20y&b=2&c=a%2Bb&flag=");
    }

    #[test]
    fn empty_query_is_empty() {
        assert_eq!(canonical_query(None), "");
        assert_eq!(canonical_query(Some("")), "");
    }

    #[test]
    fn s3_path_is_kept_and_others_are_encoded_again() {
        assert_eq!(canonical_uri("/bucket/a%20b", true), "/bucket/a%20b");
        assert_eq!(canonical_uri("/x/a%20b", false), "/x/a%2520b");
        assert_eq!(canonical_uri("", false), "/");
    }

    #[test]
    fn header_values_are_trimmed_collapsed_and_joined() {
        let mut headers = HeaderMap::new();
        headers.append("x-multi", HeaderValue::from_static("  a   b  "));
        headers.append("x-multi", HeaderValue::from_static("c"));
        let block = canonical_headers(&headers, &["x-multi".to_owned()]);
        assert_eq!(block, Ok("x-multi:a b,c\n".to_owned()));
    }

    #[test]
    fn missing_signed_header_is_reported() {
        let block = canonical_headers(&HeaderMap::new(), &["host".to_owned()]);
        assert_eq!(block, Err(MissingHeader("host".to_owned())));
    }
}
