'use strict';
// The npm `soap` client (node-soap) as both demo participants of the smev_soap single service:
// the МФЦ sends a request, the agency takes, answers and acknowledges it, the МФЦ polls
// GetResponse until the result and acknowledges what it gets. Every envelope is signed by
// piping it to `smev-soap sign` (D24). Prints the calls as JSON for test_node_soap.py.
// Usage: node exchange.js CONFIG.json

const fs = require('fs');
const { execFileSync } = require('child_process');
const soap = require('soap');

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const calls = [];

// A node-soap security object: postProcess gets the finished envelope and returns the signed one.
class SmevSign {
  constructor(who) {
    this.args = [...config.sign.slice(1), '--key', who.key, '--cert', who.cert, '-'];
  }

  postProcess(xml) {
    return execFileSync(config.sign[0], this.args, { input: xml }).toString('utf8');
  }
}

async function participant(who) {
  const client = await soap.createClientAsync(config.wsdl);
  client.setSecurity(new SmevSign(who));
  return { who, client };
}

async function call(p, operation, status, options = {}) {
  const to = options.recipient || config.gateway;
  const message = {
    Sender: { Code: p.who.code, Name: p.who.name },
    Recipient: { Code: to.code, Name: to.name },
    TypeCode: options.recipient ? 'GSRV' : 'OTHR',
    Status: status,
    Date: new Date().toISOString(),
    ExchangeType: options.recipient ? '2' : '0',
  };
  if (options.requestIdRef) message.RequestIdRef = options.requestIdRef;
  if (options.originRequestIdRef) message.OriginRequestIdRef = options.originRequestIdRef;
  const messageData = options.payload ? { AppData: { $xml: options.payload } } : {};
  const [result, raw] = await p.client[`${operation}Async`]({
    Message: message,
    MessageData: messageData,
  });
  const appData = (result.MessageData && result.MessageData.AppData) || {};
  const record = {
    who: p.who.code,
    operation,
    status: result.Message.Status,
    requestIdRef: result.Message.RequestIdRef || null,
    messageId: appData.Delivery ? appData.Delivery.MessageId : null,
    sent: p.client.lastRequest,
    received: raw,
  };
  calls.push(record);
  return record;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const mfc = await participant(config.mfc);
  const agency = await participant(config.agency);

  const sent = await call(mfc, 'SendRequest', 'REQUEST', {
    recipient: config.agency, payload: config.request,
  });
  const got = await call(agency, 'GetRequest', 'PING');
  if (!got.messageId) throw new Error(`GetRequest delivered nothing: ${got.status}`);
  await call(agency, 'SendResponse', 'RESULT', {
    recipient: config.mfc,
    payload: config.response,
    requestIdRef: got.messageId,
    originRequestIdRef: got.messageId,
  });
  await call(agency, 'Ack', 'PING', { requestIdRef: got.messageId });

  for (let attempt = 0; attempt < 10; attempt += 1) {
    const polled = await call(mfc, 'GetResponse', 'PING', { requestIdRef: sent.requestIdRef });
    if (!polled.messageId) {
      await sleep(200);
      continue;
    }
    await call(mfc, 'Ack', 'PING', { requestIdRef: polled.messageId });
    if (polled.status === 'RESULT') break;
  }
  process.stdout.write(JSON.stringify({ requestId: sent.requestIdRef, calls }));
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exitCode = 1;
});
