// Writes a credentials envelope the workers can open (see docs/credentials.md).
// Usage: CREDENTIALS_ENCRYPTION_KEY=k1:<base64> node seal-credentials.mjs ORG_ID PROVIDER '{"refresh_token":"..."}'
import { createCipheriv, randomBytes } from "node:crypto";

function currentKey() {
  const first = process.env.CREDENTIALS_ENCRYPTION_KEY.split(",")[0].trim();
  const [id, material] = first.includes(":") ? first.split(/:(.*)/s) : ["default", first];
  const key = /^[0-9a-f]{64}$/i.test(material) ? Buffer.from(material, "hex") : Buffer.from(material, "base64");
  if (key.length !== 32) throw new Error("CREDENTIALS_ENCRYPTION_KEY keys must be 32 bytes");
  return { id, key };
}

export function sealCredentials(value, organizationId, provider) {
  const { id, key } = currentKey();
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(Buffer.from(`v1.${id}.${organizationId}/${provider}`));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `v1.${id}.${nonce.toString("base64url")}.${sealed.toString("base64url")}`;
}

const [organizationId, provider, json] = process.argv.slice(2);
process.stdout.write(sealCredentials(JSON.parse(json), organizationId, provider) + "\n");
