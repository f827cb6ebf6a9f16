// A whole local Bluesky network (PLC, PDS, AppView, Ozone: @atproto/dev-env) on
// 127.0.0.1 only, with a small control endpoint for the tests.
// Usage: node start.mjs CONTROL_PORT POSTGRES_URL
// Prints "READY {json}" (the ports) once every server accepts requests. The control
// endpoint, on 127.0.0.1:CONTROL_PORT:
//   POST /process-all          wait until the AppView has indexed everything written
//   POST /label {uri, cid, val, neg}  the moderation service labels a record
//   POST /stop                 close the network and exit
import net from 'node:net'
import http from 'node:http'
import { once } from 'node:events'

// Every server dev-env starts listens on all interfaces: keep them on loopback.
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' || args[0] === undefined) {
    const port = args[0] ?? 0
    const rest = args.slice(1).filter((a) => typeof a === 'function' || typeof a === 'number')
    const callback = rest.find((a) => typeof a === 'function')
    return listen.call(this, { port, host: '127.0.0.1' }, callback)
  }
  if (args[0] && typeof args[0] === 'object' && !args[0].path && !args[0].fd && !args[0].handle) {
    args[0] = { ...args[0], host: '127.0.0.1' }
  }
  return listen.apply(this, args)
}

const [controlPort, dbPostgresUrl] = [Number(process.argv[2]), process.argv[3]]
process.env.REDIS_HOST ||= '127.0.0.1:1' // asserted by dev-env, never used

const { TestNetwork } = await import('@atproto/dev-env')
const network = await TestNetwork.create({
  dbPostgresUrl,
  dbPostgresSchema: 'listen',
  pds: { hostname: 'localhost', enableDidDocWithSession: true },
  ozone: { chatUrl: 'http://localhost:2590', chatDid: 'did:example:chat' },
})
const ozoneDid = network.ozone.ctx.cfg.service.did

async function label({ uri, cid, val, neg = false }) {
  await network.bsky.db.db
    .insertInto('label')
    .values({ src: ozoneDid, uri, cid: cid ?? '', val, neg, cts: new Date().toISOString() })
    .execute()
}

async function body(req) {
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {}
}

let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  try {
    await network.close()
  } finally {
    process.exit(0)
  }
}

const routes = {
  '/process-all': async () => network.processAll(10000),
  '/label': async (req) => label(await body(req)),
  '/stop': async () => setImmediate(stop),
}

const control = http.createServer(async (req, res) => {
  const route = req.method === 'POST' && routes[req.url]
  if (!route) {
    res.writeHead(404).end()
    return
  }
  try {
    await route(req)
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  } catch (err) {
    console.error(err)
    res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(err) }))
  }
})
control.listen(controlPort)
await once(control, 'listening')
process.on('SIGTERM', stop)
process.on('SIGINT', stop)

const ports = {
  control: controlPort,
  plc: new URL(network.plc.url).port,
  pds: network.pds.port,
  bsky: network.bsky.port,
  ozone: network.ozone.port,
  ozoneDid,
}
console.log(`READY ${JSON.stringify(ports)}`)
