//! S3 REST requests on objects: `PUT` is `s3:PutObject`, `GET` and `HEAD` are `s3:GetObject`.
//!
//! Anything else, including every bucket-level request and object requests with a
//! sub-resource (`?acl`, `?tagging`, multipart uploads, copies), is refused as unknown.

use http::Method;
use http::header::HOST;
use scpcheck_scenario::{ParamValue, Params};

use super::{ParsedCall, WireRequest, decode, unknown_operation};
use crate::denial::Refusal;

/// The query parameters an object `GET` or `HEAD` may carry and still be `s3:GetObject`.
const GET_OBJECT_QUERY: [&str; 3] = ["x-id", "versionId", "partNumber"];

/// Parses an S3 request.
pub(super) fn parse(request: &WireRequest<'_>) -> Result<ParsedCall, Refusal> {
    let (bucket, key) = bucket_and_key(request)?;
    let query_names = query_names(request.raw_query)?;

    if *request.method == Method::PUT {
        return put_object(request, bucket, key, &query_names);
    }
    if *request.method == Method::GET || *request.method == Method::HEAD {
        return get_object(bucket, key, &query_names);
    }
    Err(unknown(request))
}

fn put_object(
    request: &WireRequest<'_>,
    bucket: String,
    key: String,
    query_names: &[String],
) -> Result<ParsedCall, Refusal> {
    let only_put_object_id = query_names.iter().all(|name| name == "x-id");
    if request.headers.contains_key("x-amz-copy-source") || !only_put_object_id {
        return Err(unknown(request));
    }

    let mut params = object_params(bucket, key);
    if let Some(sse) = request.headers.get("x-amz-server-side-encryption") {
        let sse = String::from_utf8_lossy(sse.as_bytes()).into_owned();
        params.insert("sse".to_owned(), ParamValue::Str(sse));
    }
    Ok(ParsedCall::new("s3:PutObject", params))
}

fn get_object(bucket: String, key: String, query_names: &[String]) -> Result<ParsedCall, Refusal> {
    let plain = query_names
        .iter()
        .all(|name| GET_OBJECT_QUERY.contains(&name.as_str()) || name.starts_with("response-"));
    if !plain {
        return Err(unknown_operation(format!(
            "the gateway does not evaluate s3 object requests with `?{}`",
            query_names.join("&")
        )));
    }
    Ok(ParsedCall::new("s3:GetObject", object_params(bucket, key)))
}

fn object_params(bucket: String, key: String) -> Params {
    Params::from([
        ("bucket".to_owned(), ParamValue::Str(bucket)),
        ("key".to_owned(), ParamValue::Str(key)),
    ])
}

/// The bucket and key, from a virtual-hosted `Host` (`bucket.localhost`) or else from a
/// path-style URL (`/bucket/key`). Requests without a key are bucket-level: unknown.
fn bucket_and_key(request: &WireRequest<'_>) -> Result<(String, String), Refusal> {
    let path = request
        .raw_path
        .strip_prefix('/')
        .unwrap_or(request.raw_path);
    let (raw_bucket, raw_key) = match virtual_host_bucket(request) {
        Some(bucket) => (bucket, path),
        None => path.split_once('/').unwrap_or((path, "")),
    };

    // Limitation: hosts in the form `bucket.s3.<region>.amazonaws.com` are not recognized as
    // virtual-hosted; the gateway serves loopback names only, where `bucket.localhost` is the
    // one virtual-hosted form.
    if raw_bucket.is_empty() || raw_key.is_empty() {
        return Err(unknown_operation(
            "the gateway evaluates s3 object requests only; this request names no object key"
                .to_owned(),
        ));
    }
    Ok((decode("bucket", raw_bucket)?, decode("key", raw_key)?))
}

fn virtual_host_bucket<'a>(request: &'a WireRequest<'_>) -> Option<&'a str> {
    let host = request.headers.get(HOST)?.to_str().ok()?;
    let name = host.rsplit_once(':').map_or(host, |(name, _port)| name);
    name.strip_suffix(".localhost")
}

/// The decoded names of the query parameters.
fn query_names(raw_query: Option<&str>) -> Result<Vec<String>, Refusal> {
    raw_query
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            decode(
                "query parameter",
                pair.split_once('=').map_or(pair, |(name, _)| name),
            )
        })
        .collect()
}

fn unknown(request: &WireRequest<'_>) -> Refusal {
    unknown_operation(format!(
        "the gateway does not evaluate this s3 `{method}` request",
        method = request.method
    ))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{OwnedRequest, params};
    use super::*;
    use crate::denial::RefusalKind;

    fn run(request: OwnedRequest) -> Result<ParsedCall, Refusal> {
        parse(&request.wire())
    }

    #[test]
    fn put_reads_bucket_key_and_sse() {
        let request = OwnedRequest::new(Method::PUT, "/bucket/dir/a%20b.txt?x-id=PutObject", b"x")
            .header("x-amz-server-side-encryption", "aws:kms");
        let call = run(request).unwrap();
        assert_eq!(call.operation, "s3:PutObject");
        assert_eq!(
            call.params,
            params(&[
                ("bucket", "bucket".into()),
                ("key", "dir/a b.txt".into()),
                ("sse", "aws:kms".into()),
            ])
        );
    }

    #[test]
    fn put_without_sse_leaves_it_absent() {
        let call = run(OwnedRequest::new(Method::PUT, "/bucket/key", b"x")).unwrap();
        assert_eq!(
            call.params,
            params(&[("bucket", "bucket".into()), ("key", "key".into())])
        );
    }

    #[test]
    fn get_and_head_are_get_object() {
        for method in [Method::GET, Method::HEAD] {
            let call = run(OwnedRequest::new(method, "/bucket/key?x-id=GetObject", b"")).unwrap();
            assert_eq!(call.operation, "s3:GetObject");
        }
    }

    #[test]
    fn virtual_hosted_bucket_comes_from_the_host() {
        let request =
            OwnedRequest::new(Method::PUT, "/key", b"x").header("host", "bucket.localhost:4566");
        let call = run(request).unwrap();
        assert_eq!(
            call.params,
            params(&[("bucket", "bucket".into()), ("key", "key".into())])
        );
    }

    #[test]
    fn bucket_level_and_sub_resource_requests_are_unknown() {
        let refused = [
            OwnedRequest::new(Method::PUT, "/bucket", b""),
            OwnedRequest::new(Method::PUT, "/bucket/", b""),
            OwnedRequest::new(Method::GET, "/", b""),
            OwnedRequest::new(Method::PUT, "/bucket/key?tagging", b""),
            OwnedRequest::new(Method::PUT, "/bucket/key?partNumber=1&uploadId=u", b""),
            OwnedRequest::new(Method::GET, "/bucket/key?acl", b""),
            OwnedRequest::new(Method::DELETE, "/bucket/key", b""),
            OwnedRequest::new(Method::PUT, "/bucket/key", b"")
                .header("x-amz-copy-source", "/other/key"),
        ];
        for request in refused {
            let refusal = run(request).unwrap_err();
            assert_eq!(refusal.kind, RefusalKind::UnknownOperation);
        }
    }
}
