// The reference Bluesky PDS with an in-process PLC directory, on 127.0.0.1 only.
// Usage: node start.mjs PORT DATA_DIR   (prints "READY <port>" when it accepts requests)
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { Secp256k1Keypair } from '@atproto/crypto'
import { PDS, envToCfg, envToSecrets, readEnv } from '@atproto/pds'
import * as plc from '@did-plc/server'

const [port, dataDir] = [Number(process.argv[2]), process.argv[3]]

const plcServer = plc.PlcServer.create({ db: plc.Database.mock(), port: 0 })
const plcListener = plcServer.app.listen(0, '127.0.0.1')
await once(plcListener, 'listening')

const rotationKey = await Secp256k1Keypair.create({ exportable: true })
Object.assign(process.env, {
  PDS_HOSTNAME: 'localhost', // anything else forces https
  PDS_PORT: String(port), // written into the accounts' DID documents
  PDS_DEV_MODE: 'true',
  PDS_DATA_DIRECTORY: dataDir,
  PDS_BLOBSTORE_DISK_LOCATION: `${dataDir}/blobs`,
  PDS_JWT_SECRET: randomBytes(16).toString('hex'),
  PDS_ADMIN_PASSWORD: 'admin-pass',
  PDS_DPOP_SECRET: randomBytes(32).toString('hex'), // exactly 64 hex characters
  PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: Buffer.from(await rotationKey.export()).toString('hex'),
  PDS_DID_PLC_URL: `http://127.0.0.1:${plcListener.address().port}`,
  PDS_INVITE_REQUIRED: 'false',
  PDS_DISABLE_SSRF_PROTECTION: 'true',
  PDS_SERVICE_HANDLE_DOMAINS: '.test',
  // Nothing leaves the machine: no AppView, moderation or crawlers.
  PDS_BSKY_APP_VIEW_URL: 'https://appview.invalid',
  PDS_BSKY_APP_VIEW_DID: 'did:web:appview.invalid',
  PDS_REPORT_SERVICE_URL: 'https://mod.invalid',
  PDS_REPORT_SERVICE_DID: 'did:web:mod.invalid',
  PDS_CRAWLERS: '',
})
const env = readEnv()
const pds = await PDS.create(envToCfg(env), envToSecrets(env))
// PDS.start() listens on every interface; do the same steps bound to loopback.
await pds.ctx.sequencer.start()
pds.server = pds.app.listen(port, '127.0.0.1')
await once(pds.server, 'listening')
console.log(`READY ${port}`)
