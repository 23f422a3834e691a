// What the request log keeps of URLs and headers.
import { strict as assert } from 'node:assert';
import { redactHeaders, redactResponseHeaders, redactUrl } from '../../server/http/log-redaction';

describe('log redaction', () => {
  it('drops identifier values, chained ones too, and keeps clinical parameters', () => {
    assert.equal(redactUrl('/Patient?identifier=urn:oid:2.16.156.10011.1.3|120101198001010012&_count=5'), '/Patient?identifier=[REDACTED]&_count=5');
    assert.equal(redactUrl('/Observation?subject:Patient.identifier=120101198001010012&code=8480-6'), '/Observation?subject%3APatient.identifier=[REDACTED]&code=8480-6');
    assert.equal(redactUrl('/Patient?name=%E7%8E%8B&birthdate=1980-01-01&address-city=x'), '/Patient?name=[REDACTED]&birthdate=[REDACTED]&address-city=[REDACTED]');
    assert.equal(redactUrl('/Patient/pat-1'), '/Patient/pat-1');
  });

  it('drops every parameter of the authorization server, and credentials in headers', () => {
    assert.equal(redactUrl('/auth/authorize?client_id=a&state=s&code_challenge=c'), '/auth/authorize?client_id=[REDACTED]&state=[REDACTED]&code_challenge=[REDACTED]');
    assert.deepEqual(redactHeaders({ authorization: 'Bearer x', cookie: 'c', accept: 'application/fhir+json' }), { authorization: '[REDACTED]', cookie: '[REDACTED]', accept: 'application/fhir+json' });
    assert.deepEqual(redactResponseHeaders({ location: 'https://app.example/cb?code=abc&state=s', etag: 'W/"1"' }), { location: 'https://app.example/cb?[REDACTED]', etag: 'W/"1"' });
  });
});
