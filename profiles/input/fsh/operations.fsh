// The network's own operations, declared in the CapabilityStatement by their canonical URL.

Instance: MedicationRequest-review
InstanceOf: OperationDefinition
Usage: #definition
Title: "Cloud-pharmacy prescription review"
Description: "The cloud pharmacy's automated review (\"software plus pharmacist\") of an online prescription, without storing anything: formulary, excluded drug classes, days of supply (findings that refuse the write), daily dose range, frequency, route, duplicate therapy, allergies and interactions (findings recorded for the pharmacist as DetectedIssues when the request is written). At type level the request is the body (or the resource parameter); at instance level it is the stored request. The answer is an OperationOutcome with one issue per finding: error for a refusing finding, warning (high or moderate) or information (low) for a recorded one; details.coding names the check (https://fhir.dhc.example/CodeSystem/prescription-check) and the DetectedIssue severity. See docs/workflows.md, \"Cloud pharmacy\"."
* url = "https://fhir.dhc.example/OperationDefinition/MedicationRequest-review"
* version = "1.0.0"
* name = "Review"
* status = #active
* kind = #operation
* date = "2026-12-06"
* publisher = "DHC network (example)"
* affectsState = false
* code = #review
* resource = #MedicationRequest
* system = false
* type = true
* instance = true
* parameter[0].name = #resource
* parameter[0].use = #in
* parameter[0].min = 0
* parameter[0].max = "1"
* parameter[0].documentation = "The MedicationRequest to review (type level only; the body may be the MedicationRequest itself)."
* parameter[0].type = #MedicationRequest
* parameter[1].name = #return
* parameter[1].use = #out
* parameter[1].min = 1
* parameter[1].max = "1"
* parameter[1].documentation = "The findings, one issue each; a single information issue when every check passed."
* parameter[1].type = #OperationOutcome
