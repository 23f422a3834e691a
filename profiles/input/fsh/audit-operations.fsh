// The tamper-evident history's operations (server/audit, docs/audit.md "Tamper evidence"). Both are for
// auditors and administrators only.

Instance: verify-history
InstanceOf: OperationDefinition
Usage: #definition
Title: "Verify history"
* url = "https://fhir.dhc.example/OperationDefinition/verify-history"
* name = "VerifyHistory"
* status = #active
* kind = #operation
* version = "1.0.0"
* publisher = "DHC network (example)"
* date = "2026-12-06"
* description = "Recomputes the hash chains of the stored versions (each version's SHA-256 over its exact stored bytes, chained to the resource's previous version; AuditEvents also chained in write order) and reports every break, one OperationOutcome issue per break naming the version with the expected and found hashes. On an instance it checks that resource's history and lists each version's status (verified, unchained, broken) and recorded author; on the system, every version written in [start, end). With `anchor` (a JWS from $anchor) it also checks that the history up to the anchor is the anchored one. Versions without a hash are reported as unchained, never as verified."
* code = #verify-history
* affectsState = false
* system = true
* type = false
* instance = true
* resource = #Resource
* parameter[0].name = #start
* parameter[0].use = #in
* parameter[0].min = 0
* parameter[0].max = "1"
* parameter[0].type = #dateTime
* parameter[0].documentation = "System level only: versions written at or after this time."
* parameter[1].name = #end
* parameter[1].use = #in
* parameter[1].min = 0
* parameter[1].max = "1"
* parameter[1].type = #dateTime
* parameter[1].documentation = "System level only: versions written before this time."
* parameter[2].name = #anchor
* parameter[2].use = #in
* parameter[2].min = 0
* parameter[2].max = "1"
* parameter[2].type = #string
* parameter[2].documentation = "An anchor exported by $anchor (compact JWS) to check the history against."
* parameter[3].name = #result
* parameter[3].use = #out
* parameter[3].min = 1
* parameter[3].max = "1"
* parameter[3].type = #boolean
* parameter[3].documentation = "True when no break was found (unchained versions are not breaks, and are not verified)."
* parameter[4].name = #versions
* parameter[4].use = #out
* parameter[4].min = 1
* parameter[4].max = "1"
* parameter[4].type = #integer
* parameter[5].name = #verified
* parameter[5].use = #out
* parameter[5].min = 1
* parameter[5].max = "1"
* parameter[5].type = #integer
* parameter[6].name = #unchained
* parameter[6].use = #out
* parameter[6].min = 1
* parameter[6].max = "1"
* parameter[6].type = #integer
* parameter[7].name = #breaks
* parameter[7].use = #out
* parameter[7].min = 1
* parameter[7].max = "1"
* parameter[7].type = #integer
* parameter[8].name = #version
* parameter[8].use = #out
* parameter[8].min = 0
* parameter[8].max = "*"
* parameter[8].documentation = "Instance level: each version with parts versionId, lastUpdated, status (verified | unchained | broken), authorKind, author (the user), client (client_id) and organization."
* parameter[9].name = #outcome
* parameter[9].use = #out
* parameter[9].min = 1
* parameter[9].max = "1"
* parameter[9].type = #OperationOutcome
* parameter[9].documentation = "One issue per break (expression: the version; diagnostics: expected and found), a warning for unchained versions."

Instance: anchor
InstanceOf: OperationDefinition
Usage: #definition
Title: "Export a history anchor"
* url = "https://fhir.dhc.example/OperationDefinition/anchor"
* name = "Anchor"
* status = #active
* kind = #operation
* version = "1.0.0"
* publisher = "DHC network (example)"
* date = "2026-12-06"
* description = "Digests every stored version's hash up to the newest one, per resource type, with the AuditEvent chain's head, signed with the server's signing key as a compact JWS (RS256, key in the JWKS). Auditors keep it away from the server and give it to $verify-history, which then detects a chain rewritten consistently with raw database access."
* code = #anchor
* affectsState = false
* system = true
* type = false
* instance = false
* parameter[0].name = #anchor
* parameter[0].use = #out
* parameter[0].min = 1
* parameter[0].max = "1"
* parameter[0].type = #string
* parameter[0].documentation = "The signed anchor (compact JWS)."
* parameter[1].name = #position
* parameter[1].use = #out
* parameter[1].min = 1
* parameter[1].max = "1"
* parameter[1].type = #string
* parameter[1].documentation = "The newest version covered, in the store's write order."
* parameter[2].name = #versions
* parameter[2].use = #out
* parameter[2].min = 1
* parameter[2].max = "1"
* parameter[2].type = #integer
