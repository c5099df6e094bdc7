//! EC2 query-protocol requests: `RunInstances`, `CreateVolume`, `CreateSnapshot` and
//! `CreateSnapshots`.

use std::collections::BTreeMap;

use scpcheck_scenario::{ParamValue, Params};

use super::{
    DeviceMapping, ParsedCall, Pending, WireRequest, invalid_parameter, parse_bool, parse_int,
    put_bool, put_str, query_protocol_params, unknown_operation,
};
use crate::denial::Refusal;

/// Parses an EC2 request.
pub(super) fn parse(request: &WireRequest<'_>) -> Result<ParsedCall, Refusal> {
    let wire = query_protocol_params(request)?;
    let action = wire
        .get("Action")
        .ok_or_else(|| unknown_operation("the ec2 request names no `Action`".to_owned()))?;

    match action.as_str() {
        "RunInstances" => run_instances(&wire),
        "CreateVolume" => create_volume(&wire),
        "CreateSnapshot" => Ok(create_snapshot(&wire)),
        "CreateSnapshots" => Ok(create_snapshots(&wire)),
        other => Err(unknown_operation(format!(
            "the gateway does not evaluate ec2 action `{other}`"
        ))),
    }
}

fn run_instances(wire: &BTreeMap<String, String>) -> Result<ParsedCall, Refusal> {
    let mut params = Params::new();
    put_str(&mut params, "image_id", wire.get("ImageId"));
    let mappings = device_mappings(wire)?;

    let mut call = ParsedCall::new("ec2:RunInstances", params);
    // Without an image there is no root device to look up; the catalogue then falls back to
    // encryption by default, and the emulator refuses the launch.
    if let Some(image_id) = wire.get("ImageId") {
        call.pending = Some(Pending::ImageRootDevice {
            image_id: image_id.clone(),
            mappings,
        });
    }
    Ok(call)
}

/// `BlockDeviceMapping.N.DeviceName` and `BlockDeviceMapping.N.Ebs.Encrypted`, ordered by `N`.
fn device_mappings(wire: &BTreeMap<String, String>) -> Result<Vec<DeviceMapping>, Refusal> {
    let mut by_index: BTreeMap<u32, (Option<String>, Option<bool>)> = BTreeMap::new();
    for (name, value) in wire {
        let Some(rest) = name.strip_prefix("BlockDeviceMapping.") else {
            continue;
        };
        let Some((index, field)) = rest.split_once('.') else {
            continue;
        };
        let index: u32 = index
            .parse()
            .map_err(|_| invalid_parameter(format!("parameter `{name}` has no numeric index")))?;
        let entry = by_index.entry(index).or_default();
        match field {
            "DeviceName" => entry.0 = Some(value.clone()),
            "Ebs.Encrypted" => entry.1 = Some(parse_bool(name, value)?),
            _ => {}
        }
    }

    by_index
        .into_iter()
        .map(|(index, (device_name, encrypted))| {
            let device_name = device_name.ok_or_else(|| {
                invalid_parameter(format!("`BlockDeviceMapping.{index}` has no `DeviceName`"))
            })?;
            Ok(DeviceMapping {
                device_name,
                encrypted,
            })
        })
        .collect()
}

fn create_volume(wire: &BTreeMap<String, String>) -> Result<ParsedCall, Refusal> {
    let mut params = Params::new();
    put_bool(&mut params, "encrypted", "Encrypted", wire.get("Encrypted"))?;
    put_str(&mut params, "volume_type", wire.get("VolumeType"));
    if let Some(size) = wire.get("Size") {
        params.insert("size".to_owned(), ParamValue::Int(parse_int("Size", size)?));
    }
    if let Some(iops) = wire.get("Iops") {
        params.insert("iops".to_owned(), ParamValue::Int(parse_int("Iops", iops)?));
    }
    Ok(ParsedCall::new("ec2:CreateVolume", params))
}

fn create_snapshot(wire: &BTreeMap<String, String>) -> ParsedCall {
    let mut params = Params::new();
    put_str(&mut params, "volume_id", wire.get("VolumeId"));
    let mut call = ParsedCall::new("ec2:CreateSnapshot", params);
    // Without a volume there is nothing to look up; the catalogue then reports the missing
    // encryption fact and the call is refused.
    call.pending = wire
        .get("VolumeId")
        .map(|volume_id| Pending::VolumeEncryption {
            volume_id: volume_id.clone(),
        });
    call
}

fn create_snapshots(wire: &BTreeMap<String, String>) -> ParsedCall {
    let instance_id = wire.get("InstanceSpecification.InstanceId");
    let mut params = Params::new();
    put_str(&mut params, "instance_id", instance_id);
    let mut call = ParsedCall::new("ec2:CreateSnapshots", params);
    call.pending = instance_id.map(|instance_id| Pending::InstanceVolumes {
        instance_id: instance_id.clone(),
    });
    call
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{OwnedRequest, params};
    use super::*;
    use http::Method;

    fn parse_body(body: &str) -> Result<ParsedCall, Refusal> {
        let request = OwnedRequest::new(Method::POST, "/", body.as_bytes());
        parse(&request.wire())
    }

    #[test]
    fn create_volume_reads_encryption_type_size_and_iops() {
        let call = parse_body(
            "Action=CreateVolume&Version=2016-11-15&AvailabilityZone=eu-central-1a\
             &Encrypted=false&VolumeType=gp3&Size=100&Iops=3000",
        )
        .unwrap();
        assert_eq!(call.operation, "ec2:CreateVolume");
        assert_eq!(
            call.params,
            params(&[
                ("encrypted", false.into()),
                ("iops", 3000_i64.into()),
                ("size", 100_i64.into()),
                ("volume_type", "gp3".into()),
            ])
        );
        assert!(call.needs_ebs_default());
    }

    #[test]
    fn create_volume_without_parameters_has_none() {
        let call = parse_body("Action=CreateVolume&AvailabilityZone=eu-central-1a").unwrap();
        assert!(call.params.is_empty());
    }

    #[test]
    fn run_instances_collects_mappings_for_the_root_lookup() {
        let call = parse_body(
            "Action=RunInstances&ImageId=ami-1&MinCount=1&MaxCount=1\
             &BlockDeviceMapping.2.DeviceName=%2Fdev%2Fsdb&BlockDeviceMapping.2.Ebs.Encrypted=false\
             &BlockDeviceMapping.1.DeviceName=%2Fdev%2Fsda1&BlockDeviceMapping.1.Ebs.VolumeSize=8",
        )
        .unwrap();
        assert_eq!(call.params, params(&[("image_id", "ami-1".into())]));
        assert_eq!(
            call.pending,
            Some(Pending::ImageRootDevice {
                image_id: "ami-1".to_owned(),
                mappings: vec![
                    DeviceMapping {
                        device_name: "/dev/sda1".to_owned(),
                        encrypted: None,
                    },
                    DeviceMapping {
                        device_name: "/dev/sdb".to_owned(),
                        encrypted: Some(false),
                    },
                ],
            })
        );
    }

    #[test]
    fn mapping_without_device_name_is_refused() {
        let refusal =
            parse_body("Action=RunInstances&ImageId=ami-1&BlockDeviceMapping.1.Ebs.Encrypted=true")
                .unwrap_err();
        assert_eq!(
            refusal.message,
            "`BlockDeviceMapping.1` has no `DeviceName`"
        );
    }

    #[test]
    fn snapshots_name_their_source_for_lookup() {
        let call = parse_body("Action=CreateSnapshot&VolumeId=vol-1").unwrap();
        assert_eq!(call.params, params(&[("volume_id", "vol-1".into())]));
        assert_eq!(
            call.pending,
            Some(Pending::VolumeEncryption {
                volume_id: "vol-1".to_owned()
            })
        );

        let call =
            parse_body("Action=CreateSnapshots&InstanceSpecification.InstanceId=i-1").unwrap();
        assert_eq!(call.params, params(&[("instance_id", "i-1".into())]));
        assert_eq!(
            call.pending,
            Some(Pending::InstanceVolumes {
                instance_id: "i-1".to_owned()
            })
        );
    }

    #[test]
    fn other_actions_and_bad_values_are_refused() {
        let refusal = parse_body("Action=DescribeVolumes").unwrap_err();
        assert_eq!(
            refusal.message,
            "the gateway does not evaluate ec2 action `DescribeVolumes`"
        );
        assert!(parse_body("Version=2016-11-15").is_err());
        assert!(parse_body("Action=CreateVolume&Encrypted=maybe").is_err());
        assert!(parse_body("Action=CreateVolume&Size=big").is_err());
    }
}
