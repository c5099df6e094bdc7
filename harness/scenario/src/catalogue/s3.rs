//! S3 object operations: uploading and downloading objects.
//!
//! Resources and condition keys follow the Service Authorization Reference page "Actions,
//! resources, and condition keys for Amazon S3"
//! (<https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html>).

use super::ParamType::Str;
use super::{AuthorizationCheck, Call, CatalogueError, OperationSpec, ParamSpec};

/// `PutObject`: the object; `s3:x-amz-server-side-encryption` is present only when the call
/// sends the header.
pub(super) static PUT_OBJECT: OperationSpec = OperationSpec {
    name: "s3:PutObject",
    service: "s3",
    params: &[
        ParamSpec::optional("sse", Str),
        ParamSpec::id("bucket"),
        ParamSpec::id("key"),
    ],
    checks: put_object,
};

/// `GetObject`: the object, with no service condition key from these parameters.
pub(super) static GET_OBJECT: OperationSpec = OperationSpec {
    name: "s3:GetObject",
    service: "s3",
    params: &[ParamSpec::id("bucket"), ParamSpec::id("key")],
    checks: get_object,
};

fn put_object(call: &Call<'_>) -> Result<Vec<AuthorizationCheck>, CatalogueError> {
    let keys = match call.str("sse") {
        Some(sse) => vec![("s3:x-amz-server-side-encryption", sse.to_owned())],
        None => vec![],
    };

    Ok(vec![call.check("object", object_arn(call), keys)])
}

fn get_object(call: &Call<'_>) -> Result<Vec<AuthorizationCheck>, CatalogueError> {
    Ok(vec![call.check("object", object_arn(call), vec![])])
}

/// The object's ARN; S3 ARNs name neither region nor account.
fn object_arn(call: &Call<'_>) -> String {
    format!(
        "arn:{partition}:s3:::{bucket}/{key}",
        partition = call.partition(),
        bucket = call.id_or_wildcard("bucket"),
        key = call.id_or_wildcard("key"),
    )
}

#[cfg(test)]
mod tests {
    use crate::catalogue::test_support::{checks, env, only, service_keys};

    #[test]
    fn put_object_sends_the_encryption_header_as_given() {
        let params = [
            ("sse", "aws:kms:dsse".into()),
            ("bucket", "b".into()),
            ("key", "k/1".into()),
        ];
        let checks = checks("s3:PutObject", &params, &env());

        assert_eq!(checks.len(), 1);
        let object = only(&checks, "object");
        assert_eq!(object.request.resource, "arn:aws:s3:::b/k/1");
        assert_eq!(object.request.action, "s3:PutObject");
        assert_eq!(
            service_keys(object),
            vec![(
                "s3:x-amz-server-side-encryption".to_owned(),
                "aws:kms:dsse".to_owned()
            )]
        );
    }

    #[test]
    fn put_object_without_the_header_has_no_encryption_key() {
        let checks = checks("s3:PutObject", &[], &env());

        let object = only(&checks, "object");
        assert_eq!(object.request.resource, "arn:aws:s3:::*/*");
        assert_eq!(service_keys(object), vec![]);
    }

    #[test]
    fn get_object_checks_the_object_only() {
        let params = [("bucket", "b".into()), ("key", "k".into())];
        let checks = checks("s3:GetObject", &params, &env());

        assert_eq!(checks.len(), 1);
        let object = only(&checks, "object");
        assert_eq!(object.request.resource, "arn:aws:s3:::b/k");
        assert_eq!(object.request.action, "s3:GetObject");
        assert_eq!(service_keys(object), vec![]);
    }
}
