//! EC2 facts the decision depends on, read from the emulator as the calling account: EBS
//! encryption by default, an image's root device and whether volumes are encrypted.

use std::collections::BTreeMap;

use crate::credentials::Identity;
use crate::emulator::{Emulator, EmulatorError};
use crate::xml::Element;

/// A volume attached to an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AttachedVolume {
    /// The device name, e.g. `/dev/sda1`.
    pub device_name: String,
    /// The volume id.
    pub volume_id: String,
    /// Whether the volume is encrypted.
    pub encrypted: bool,
    /// Whether it is the instance's root volume.
    pub is_root: bool,
}

/// Reads EC2 state for one caller in one region.
pub(crate) struct Ec2State<'a> {
    /// Where to call.
    pub emulator: &'a Emulator,
    /// Whose view of EC2 to read.
    pub identity: &'a Identity,
    /// The region of the call being decided.
    pub region: &'a str,
}

impl Ec2State<'_> {
    async fn call(&self, action: &str, params: &[(&str, &str)]) -> Result<Element, EmulatorError> {
        self.emulator
            .ec2(self.identity, self.region, action, params)
            .await
    }

    /// Whether new volumes of the account are encrypted by default in the region.
    pub(crate) async fn ebs_encryption_by_default(&self) -> Result<bool, EmulatorError> {
        let answer = self.call("GetEbsEncryptionByDefault", &[]).await?;
        let text = answer.text_at(&["ebsEncryptionByDefault"]);
        parse_bool(text, "GetEbsEncryptionByDefault", "ebsEncryptionByDefault")
    }

    /// The root device name of an image, or `None` when the image is unknown or names none.
    pub(crate) async fn image_root_device(
        &self,
        image_id: &str,
    ) -> Result<Option<String>, EmulatorError> {
        let answer = match self
            .call("DescribeImages", &[("ImageId.1", image_id)])
            .await
        {
            Ok(answer) => answer,
            Err(error) if is_not_found(&error) => return Ok(None),
            Err(error) => return Err(error),
        };
        let root_device = answer
            .text_at(&["imagesSet", "item", "rootDeviceName"])
            .filter(|name| !name.is_empty())
            .map(str::to_owned);
        Ok(root_device)
    }

    /// Whether each of the given volumes is encrypted. A volume the emulator does not know is
    /// an error: its refusal is passed on.
    pub(crate) async fn volumes_encrypted(
        &self,
        volume_ids: &[&str],
    ) -> Result<BTreeMap<String, bool>, EmulatorError> {
        let names: Vec<String> = (1..=volume_ids.len())
            .map(|n| format!("VolumeId.{n}"))
            .collect();
        let params: Vec<(&str, &str)> = names
            .iter()
            .map(String::as_str)
            .zip(volume_ids.iter().copied())
            .collect();
        let answer = self.call("DescribeVolumes", &params).await?;

        let items = answer
            .child("volumeSet")
            .map(|set| set.children_named("item").collect::<Vec<_>>())
            .unwrap_or_default();
        items
            .into_iter()
            .map(|item| {
                let volume_id = item.text_at(&["volumeId"]).unwrap_or_default().to_owned();
                let encrypted =
                    parse_bool(item.text_at(&["encrypted"]), "DescribeVolumes", "encrypted")?;
                Ok((volume_id, encrypted))
            })
            .collect()
    }

    /// The EBS volumes attached to an instance, root volume marked.
    pub(crate) async fn instance_volumes(
        &self,
        instance_id: &str,
    ) -> Result<Vec<AttachedVolume>, EmulatorError> {
        let answer = self
            .call("DescribeInstances", &[("InstanceId.1", instance_id)])
            .await?;
        let instance = answer
            .path(&["reservationSet", "item", "instancesSet", "item"])
            .ok_or_else(|| unreadable("DescribeInstances", "no instance in the answer"))?;
        let root_device = instance.text_at(&["rootDeviceName"]).unwrap_or_default();

        let mappings: Vec<(String, String)> = instance
            .child("blockDeviceMapping")
            .map(|set| set.children_named("item").collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|item| {
                let device = item.text_at(&["deviceName"])?;
                let volume = item.text_at(&["ebs", "volumeId"])?;
                Some((device.to_owned(), volume.to_owned()))
            })
            .collect();
        if mappings.is_empty() {
            return Ok(Vec::new());
        }

        let volume_ids: Vec<&str> = mappings.iter().map(|(_, volume)| volume.as_str()).collect();
        let encrypted = self.volumes_encrypted(&volume_ids).await?;
        mappings
            .into_iter()
            .map(|(device_name, volume_id)| {
                let encrypted = *encrypted.get(&volume_id).ok_or_else(|| {
                    unreadable("DescribeVolumes", "an attached volume is missing")
                })?;
                Ok(AttachedVolume {
                    is_root: device_name == root_device,
                    device_name,
                    volume_id,
                    encrypted,
                })
            })
            .collect()
    }
}

fn is_not_found(error: &EmulatorError) -> bool {
    error
        .rejection_code()
        .is_some_and(|code| code.ends_with(".NotFound") || code.ends_with(".Malformed"))
}

fn parse_bool(text: Option<&str>, operation: &str, field: &str) -> Result<bool, EmulatorError> {
    match text {
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        _ => Err(unreadable(
            operation,
            &format!("`{field}` is not `true` or `false`"),
        )),
    }
}

fn unreadable(operation: &str, reason: &str) -> EmulatorError {
    EmulatorError::Unreadable {
        operation: operation.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Moto, management_identity};
    use crate::upstream::Upstream;

    const REGION: &str = "eu-central-1";

    #[tokio::test]
    async fn reads_volumes_images_and_instances() {
        let Some(moto) = Moto::start("reads_volumes_images_and_instances") else {
            return;
        };
        let emulator = Emulator::new(Upstream::new(&moto.url).unwrap());
        let identity = management_identity();
        let state = Ec2State {
            emulator: &emulator,
            identity: &identity,
            region: REGION,
        };
        assert!(!state.ebs_encryption_by_default().await.unwrap());

        let created = state
            .call(
                "CreateVolume",
                &[
                    ("AvailabilityZone", "eu-central-1a"),
                    ("Size", "8"),
                    ("Encrypted", "true"),
                ],
            )
            .await
            .unwrap();
        let volume_id = created.text_at(&["volumeId"]).unwrap().to_owned();
        let encrypted = state.volumes_encrypted(&[&volume_id]).await.unwrap();
        assert_eq!(encrypted.get(&volume_id), Some(&true));

        let missing = state
            .volumes_encrypted(&["vol-00000000000000000"])
            .await
            .unwrap_err();
        assert_eq!(missing.rejection_code(), Some("InvalidVolume.NotFound"));

        let images = state
            .call("DescribeImages", &[("Owner.1", "amazon")])
            .await
            .unwrap();
        let image_id = images
            .text_at(&["imagesSet", "item", "imageId"])
            .unwrap()
            .to_owned();
        let root_device = state.image_root_device(&image_id).await.unwrap().unwrap();
        assert_eq!(state.image_root_device("ami-00000000").await.unwrap(), None);

        let device = "BlockDeviceMapping.1.DeviceName";
        let reservation = state
            .call(
                "RunInstances",
                &[
                    ("ImageId", &image_id),
                    ("MinCount", "1"),
                    ("MaxCount", "1"),
                    (device, &root_device),
                    ("BlockDeviceMapping.1.Ebs.Encrypted", "true"),
                    ("BlockDeviceMapping.1.Ebs.VolumeSize", "10"),
                ],
            )
            .await
            .unwrap();
        let instance_id = reservation
            .text_at(&["instancesSet", "item", "instanceId"])
            .unwrap()
            .to_owned();
        let volumes = state.instance_volumes(&instance_id).await.unwrap();
        assert_eq!(volumes.len(), 1);
        assert!(volumes[0].is_root && volumes[0].encrypted);
        assert_eq!(volumes[0].device_name, root_device);
    }
}
