// The XML of TWO_STEP's `body_format: xml` and the SAML assertion of sap-success-factors,
// checked with the libraries Nango uses (spec §3.9, "XML bodies", §3.9, "SAML assertions"), so that the vectors in
// tests/vectors/modes.json are not only connkit's opinion:
// - `xml_build` cases: fast-xml-parser 5.10.1's XMLBuilder with Nango's options writes the same
//   text (or throws where connkit refuses);
// - `xml_parse` cases: its XMLParser with Nango's options reads the same tree; where connkit
//   refuses malformed XML, the case records what fast-xml-parser does instead;
// - `two_step` cases marked `saml_public_key`: the assertion connkit signed verifies with
//   xml-crypto 6.1.2 against the public key, and fails once a signed value is changed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { DOMParser } from '@xmldom/xmldom';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { SignedXml } from 'xml-crypto';

import { expandVectors } from '../../node/vectors.mjs';

const root = new URL('../../vectors/', import.meta.url);
const cases = expandVectors(JSON.parse(readFileSync(new URL('modes.json', root), 'utf8'))).cases;
const builder = () => new XMLBuilder({ format: true, indentBy: '  ', attributeNamePrefix: '$', ignoreAttributes: false });
const parser = () => new XMLParser({ ignoreAttributes: false, parseAttributeValue: true, trimValues: true });
// A tree as JSON holds it (the vectors are JSON: `-0` is `0`).
const read = (text) => JSON.parse(JSON.stringify(parser().parse(text)));

test('fast-xml-parser writes every xml_build body as the vectors do', () => {
  const built = cases.filter((c) => c.mode === 'xml_build');
  assert.ok(built.length >= 5);
  for (const c of built) {
    if (c.expect.error !== undefined) {
      assert.throws(() => builder().build(c.input.body), c.name);
    } else {
      assert.equal(builder().build(c.input.body), c.expect.ok, c.name);
    }
  }
});

test('fast-xml-parser reads every xml_parse text as the vectors do', () => {
  const texts = cases.filter((c) => c.mode === 'xml_parse');
  assert.ok(texts.length >= 20);
  for (const c of texts) {
    if (c.expect.error === undefined) {
      assert.deepStrictEqual(read(c.input.text), c.expect.ok, c.name);
      continue;
    }
    // connkit refuses it; the case records what fast-xml-parser does.
    const nango = c.fast_xml_parser;
    assert.ok(nango, `${c.name}: no fast_xml_parser record`);
    if (nango.throws) assert.throws(() => parser().parse(c.input.text), c.name);
    else assert.deepStrictEqual(read(c.input.text), nango.reads, c.name);
  }
});

function assertionOf(c) {
  const body = new URLSearchParams(c.expect.requests[0].body);
  return Buffer.from(body.get('assertion'), 'base64').toString('utf8');
}

function verify(xml, publicKey) {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const signature = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0];
  assert.ok(signature, 'the assertion carries a Signature');
  const sig = new SignedXml({ publicCert: publicKey, getCertFromKeyInfo: () => null });
  sig.loadSignature(signature);
  return sig.checkSignature(xml);
}

test('xml-crypto verifies the SAML assertions connkit signs, and refuses them altered', () => {
  const signed = cases.filter((c) => c.mode === 'two_step' && c.saml_public_key);
  assert.ok(signed.length >= 1);
  for (const c of signed) {
    const publicKey = readFileSync(new URL(`keys/${c.saml_public_key}`, root), 'utf8');
    const xml = assertionOf(c);
    assert.equal(verify(xml, publicKey), true, c.name);
    // What the signature covers: the assertion's text and attributes.
    const altered = xml.replace('<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">jdoe<', '<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">admin<');
    assert.notEqual(altered, xml);
    let verdict;
    try {
      verdict = verify(altered, publicKey);
    } catch {
      verdict = false;
    }
    assert.equal(verdict, false, c.name);
    // The reference is the Assertion itself, by its ID, with Nango's algorithms.
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    const id = doc.documentElement.getAttribute('ID');
    assert.match(xml, new RegExp(`<Reference URI="#${id}">`));
    for (const algorithm of [
      'http://www.w3.org/2001/10/xml-exc-c14n#',
      'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/04/xmlenc#sha256',
    ]) {
      assert.ok(xml.includes(`Algorithm="${algorithm}"`), algorithm);
    }
  }
});
