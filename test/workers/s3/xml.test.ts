/** The two request documents we read, as SDKs write them (namespaces, entities), and what we refuse. */
import { describe, expect, it } from 'vitest';
import { escapeXml, parseCompleteMultipartUpload, parseDelete, unescapeXml } from '../../../worker/s3/xml.ts';

describe('XML text', () => {
  it('escapes and unescapes each other, character references included', () => {
    const text = `a&b<c>"d'e\r`;
    expect(unescapeXml(escapeXml(text))).toBe(text);
    expect(unescapeXml('&#65;&#x42;&#x1F600;')).toBe('AB😀');
  });
  it('refuses unknown entities and bare ampersands', () => {
    expect(unescapeXml('&nbsp;')).toBeNull();
    expect(unescapeXml('a & b')).toBeNull();
    expect(unescapeXml('&#x110000;')).toBeNull();
  });
});

describe('CompleteMultipartUpload', () => {
  it('reads parts with quoted ETags and a namespace, ignoring checksums', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
      <Part><ChecksumCRC32>AAAAAA==</ChecksumCRC32><ETag>&quot;abc&quot;</ETag><PartNumber>1</PartNumber></Part>
      <Part><PartNumber>2</PartNumber><ETag>"def"</ETag></Part></CompleteMultipartUpload>`;
    expect(parseCompleteMultipartUpload(xml)).toEqual([{ partNumber: 1, etag: '"abc"' }, { partNumber: 2, etag: '"def"' }]);
  });
  it.each([
    ['another root', '<Complete><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></Complete>'],
    ['a part without ETag', '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>'],
    ['a non-numeric part number', '<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>'],
    ['two part numbers in a part', '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><PartNumber>2</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>'],
  ])('refuses %s', (_, xml) => {
    expect(parseCompleteMultipartUpload(xml)).toBeNull();
  });
});

describe('Delete', () => {
  it('reads keys (entities decoded, whitespace kept) and Quiet', () => {
    const xml = '<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet><Object><Key> a&amp;b </Key></Object><Object><Key>c&#47;d</Key><VersionId>v</VersionId></Object></Delete>';
    expect(parseDelete(xml)).toEqual({ quiet: true, keys: [' a&b ', 'c/d'] });
    expect(parseDelete('<Delete><Object><Key>k</Key></Object></Delete>')).toEqual({ quiet: false, keys: ['k'] });
  });
  it('refuses an object without a key and a key with a bad entity', () => {
    expect(parseDelete('<Delete><Object><VersionId>v</VersionId></Object></Delete>')).toBeNull();
    expect(parseDelete('<Delete><Object><Key>a&b</Key></Object></Delete>')).toBeNull();
  });
});
