//! STS `AssumeRole`: the request names the role and session; a successful answer carries the
//! temporary credentials the gateway must then accept.

use super::{WireRequest, query_protocol_params};
use crate::credentials::AssumedRole;
use crate::xml;

/// The role and session an `AssumeRole` request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AssumeRoleRequest {
    /// `RoleArn`.
    pub role_arn: String,
    /// `RoleSessionName`.
    pub session_name: String,
}

/// The role and session of an `AssumeRole` request, or `None` for any other STS request.
pub(crate) fn assume_role_request(request: &WireRequest<'_>) -> Option<AssumeRoleRequest> {
    let params = query_protocol_params(request).ok()?;
    if params.get("Action").map(String::as_str) != Some("AssumeRole") {
        return None;
    }
    Some(AssumeRoleRequest {
        role_arn: params.get("RoleArn")?.clone(),
        session_name: params.get("RoleSessionName")?.clone(),
    })
}

/// The credentials in a successful `AssumeRole` answer.
pub(crate) fn assumed_role(
    request: &AssumeRoleRequest,
    response_body: &[u8],
) -> Result<AssumedRole, String> {
    let root = xml::parse(response_body).map_err(|error| error.to_string())?;
    let result = root
        .child("AssumeRoleResult")
        .ok_or_else(|| "the answer has no `AssumeRoleResult`".to_owned())?;
    let field = |name: &str| {
        result
            .text_at(&["Credentials", name])
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| format!("the answer has no `Credentials/{name}`"))
    };

    Ok(AssumedRole {
        role_arn: request.role_arn.clone(),
        session_name: request.session_name.clone(),
        access_key_id: field("AccessKeyId")?,
        secret_access_key: field("SecretAccessKey")?,
        session_token: field("SessionToken")?,
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::OwnedRequest;
    use super::*;
    use http::Method;

    #[test]
    fn assume_role_request_is_recognized() {
        let request = OwnedRequest::new(
            Method::POST,
            "/",
            b"Action=AssumeRole&Version=2011-06-15\
              &RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2FAdmin&RoleSessionName=s1",
        );
        assert_eq!(
            assume_role_request(&request.wire()),
            Some(AssumeRoleRequest {
                role_arn: "arn:aws:iam::111122223333:role/Admin".to_owned(),
                session_name: "s1".to_owned(),
            })
        );
        let other = OwnedRequest::new(Method::POST, "/", b"Action=GetCallerIdentity");
        assert_eq!(assume_role_request(&other.wire()), None);
    }

    #[test]
    fn credentials_are_read_from_the_answer() {
        let body = br#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
            <AssumeRoleResult><Credentials><SessionToken>tok/en+=</SessionToken>
            <SecretAccessKey>sec</SecretAccessKey><Expiration>2030-01-01T00:00:00Z</Expiration>
            <AccessKeyId>ASIA1</AccessKeyId></Credentials>
            <AssumedRoleUser><AssumedRoleId>AROA:s1</AssumedRoleId>
            <Arn>arn:aws:sts::111122223333:assumed-role/Admin/s1</Arn></AssumedRoleUser>
            </AssumeRoleResult></AssumeRoleResponse>"#;
        let request = AssumeRoleRequest {
            role_arn: "arn:aws:iam::111122223333:role/Admin".to_owned(),
            session_name: "s1".to_owned(),
        };
        let assumed = assumed_role(&request, body).unwrap();
        assert_eq!(assumed.access_key_id, "ASIA1");
        assert_eq!(assumed.secret_access_key, "sec");
        assert_eq!(assumed.session_token, "tok/en+=");

        let missing = assumed_role(&request, b"<AssumeRoleResponse/>").unwrap_err();
        assert_eq!(missing, "the answer has no `AssumeRoleResult`");
    }
}
