//! EFS REST-JSON requests: `POST /2015-02-01/file-systems` is `CreateFileSystem`.

use http::Method;
use scpcheck_scenario::{ParamValue, Params};
use serde_json::Value;

use super::{ParsedCall, WireRequest, invalid_parameter, unknown_operation};
use crate::denial::Refusal;

const FILE_SYSTEMS: &str = "/2015-02-01/file-systems";

/// Parses an EFS request.
pub(super) fn parse(request: &WireRequest<'_>) -> Result<ParsedCall, Refusal> {
    if *request.method != Method::POST || request.raw_path != FILE_SYSTEMS {
        return Err(unknown_operation(format!(
            "the gateway does not evaluate efs `{method} {path}`",
            method = request.method,
            path = request.raw_path
        )));
    }

    let body: Value = serde_json::from_slice(request.body)
        .map_err(|error| invalid_parameter(format!("the request body is not json: {error}")))?;
    let body = body
        .as_object()
        .ok_or_else(|| invalid_parameter("the request body is not a json object".to_owned()))?;

    let mut params = Params::new();
    for (wire_name, name) in [
        ("CreationToken", "creation_token"),
        ("PerformanceMode", "performance_mode"),
    ] {
        if let Some(value) = body.get(wire_name) {
            let text = value
                .as_str()
                .ok_or_else(|| invalid_parameter(format!("`{wire_name}` must be a string")))?;
            params.insert(name.to_owned(), ParamValue::Str(text.to_owned()));
        }
    }
    if let Some(value) = body.get("Encrypted") {
        let encrypted = value
            .as_bool()
            .ok_or_else(|| invalid_parameter("`Encrypted` must be a boolean".to_owned()))?;
        params.insert("encrypted".to_owned(), ParamValue::Bool(encrypted));
    }
    Ok(ParsedCall::new(
        "elasticfilesystem:CreateFileSystem",
        params,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{OwnedRequest, params};
    use super::*;

    fn post(path: &str, body: &str) -> Result<ParsedCall, Refusal> {
        parse(&OwnedRequest::new(Method::POST, path, body.as_bytes()).wire())
    }

    #[test]
    fn create_file_system_reads_token_mode_and_encryption() {
        let call = post(
            FILE_SYSTEMS,
            r#"{"CreationToken":"t1","PerformanceMode":"maxIO","Encrypted":false}"#,
        )
        .unwrap();
        assert_eq!(call.operation, "elasticfilesystem:CreateFileSystem");
        assert_eq!(
            call.params,
            params(&[
                ("creation_token", "t1".into()),
                ("encrypted", false.into()),
                ("performance_mode", "maxIO".into()),
            ])
        );
    }

    #[test]
    fn missing_encryption_is_absent() {
        let call = post(FILE_SYSTEMS, r#"{"CreationToken":"t1"}"#).unwrap();
        assert_eq!(call.params, params(&[("creation_token", "t1".into())]));
    }

    #[test]
    fn malformed_bodies_and_other_requests_are_refused() {
        assert!(post(FILE_SYSTEMS, "not json").is_err());
        assert!(post(FILE_SYSTEMS, r#"{"Encrypted":"false"}"#).is_err());
        assert!(post("/2015-02-01/file-systems/fs-1", "{}").is_err());
        let get = OwnedRequest::new(Method::GET, FILE_SYSTEMS, b"");
        assert!(parse(&get.wire()).is_err());
    }
}
