// $recognize on Observation and DiagnosticReport (server/workflows/recognition, docs/recognition.md), and
// the search parameter that counts the recorded reuses: Provenance?activity=...|reused (R5 defines
// Provenance `activity`; R4 has none).

RuleSet: RecognizeParameter(name, use, min, max, type, documentation)
* parameter[+].name = #{name}
* parameter[=].use = #{use}
* parameter[=].min = {min}
* parameter[=].max = "{max}"
* parameter[=].type = #{type}
* parameter[=].documentation = "{documentation}"

RuleSet: RecognizePart(name, min, max, type, documentation)
* parameter[=].part[+].name = #{name}
* parameter[=].part[=].use = #out
* parameter[=].part[=].min = {min}
* parameter[=].part[=].max = "{max}"
* parameter[=].part[=].type = #{type}
* parameter[=].part[=].documentation = "{documentation}"

RuleSet: RecognizeOperation
* url = "https://fhir.dhc.example/OperationDefinition/recognize"
* version = "1.0.0"
* status = #active
* kind = #operation
* publisher = "DHC network (example)"
* date = "2026-12-06"
* code = #recognize
* resource[0] = #Observation
* resource[1] = #DiagnosticReport
* system = false
* type = true
* instance = true
* affectsState = false
* comment = "Judges each result with the rules of the network's rule set (profiles/recognition/rule-set.json): code (LOINC, or mapped to LOINC by a ConceptMap), unit (UCUM, converted to the item's unit), profile (dhc-lab-result, or dhc-lab-report for a report), status (final, amended, corrected), quality assessment (the performing laboratory's pass for the item when the specimen was collected, as the quality-control centre recorded it in a VerificationResult; never the result's own eqa-status or HR mark), window (the item's validity days before the date of use) and patient (the same resident ID number). record=true writes a Provenance of the reuse and is sent with POST only. See docs/recognition.md."
* insert RecognizeParameter(organization, in, 1, 1, string, [[The recognizing organization, Organization/[id] (a valueReference in a POST body too). Clinicians and hospital doctors name one of their own organizations.]])
* insert RecognizeParameter(date, in, 0, 1, date, [[The date of use; today (UTC) when absent.]])
* insert RecognizeParameter(result, in, 0, 1, Resource, [[A result to judge, sent inline (POST): an Observation, or on DiagnosticReport a report whose results are stored. Not with an instance.]])
* insert RecognizeParameter(patient, in, 0, 1, string, [[Patient/[id]: judge every laboratory result of the person (every Patient record with the same resident ID number), or check that the result given is this person's.]])
* insert RecognizeParameter(code, in, 0, 1, string, [[With patient: only results of this LOINC item (its mass-concentration or local codes included).]])
* insert RecognizeParameter(onlyRecognized, in, 0, 1, boolean, [[Only the recognized results in the answer.]])
* insert RecognizeParameter(record, in, 0, 1, boolean, [[POST only: record the reuse of each recognized stored result as a Provenance (activity recognition#reused).]])
* insert RecognizeParameter(organization, out, 1, 1, Reference, [[The recognizing organization.]])
* insert RecognizeParameter(date, out, 1, 1, date, [[The date of use.]])
* insert RecognizeParameter(ruleSet, out, 1, 1, canonical, [[The rule set's url|version.]])
* insert RecognizeParameter(count, out, 1, 1, integer, [[How many results were judged.]])
* insert RecognizeParameter(recognizedCount, out, 1, 1, integer, [[How many of them are recognized.]])
* parameter[+].name = #recognition
* parameter[=].use = #out
* parameter[=].min = 0
* parameter[=].max = "*"
* parameter[=].documentation = "One per result judged (a report is followed by the results it groups), newest specimen first."
* insert RecognizePart(result, 1, 1, Reference, [[The result (only a display for a result sent inline).]])
* insert RecognizePart(recognized, 1, 1, boolean, [[Whether every rule passed.]])
* insert RecognizePart(source, 0, 1, Reference, [[The performing laboratory's organization (the source institution).]])
* insert RecognizePart(collected, 0, 1, dateTime, [[When the specimen was collected.]])
* insert RecognizePart(code, 0, 1, Coding, [[The item's LOINC code (the molar code when a mass code was converted).]])
* insert RecognizePart(value, 0, 1, Quantity, [[The value in the item's UCUM unit.]])
* insert RecognizePart(rule, 1, *, string, [[Each rule's verdict: parts name (code, unit, profile, status, quality-assessment, window, patient; results for a report), verdict (pass, fail, not-evaluated) and message.]])
* insert RecognizePart(provenance, 0, 1, Reference, [[The Provenance of the reuse, with record=true.]])

Instance: recognize
InstanceOf: OperationDefinition
Usage: #definition
Title: "Mutual recognition of laboratory results"
* name = "Recognize"
* description = "Whether laboratory results (Observations) or reports (DiagnosticReports, with each result they group) of a member institution are recognized by another organization on a date, rule by rule, with the value normalized to the item's LOINC code and UCUM unit; the physician's conclusion is never recognized (医疗机构检查检验结果互认)."
* insert RecognizeOperation

Instance: activity
InstanceOf: SearchParameter
Usage: #definition
Title: "Provenance activity"
* insert NetworkSearchParameter(activity, Activity, activity)
* description = "The activity a Provenance records, as R5 defines it: `Provenance?activity=https://fhir.dhc.example/CodeSystem/recognition|reused&_summary=count` counts the results reused instead of repeated."
* base = #Provenance
* type = #token
* expression = "Provenance.activity"
