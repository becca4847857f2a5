-- FCM is moving from registration tokens to Firebase Installation IDs: keep the device's FID too.
alter table token.devices add column firebase_installation_id text;
