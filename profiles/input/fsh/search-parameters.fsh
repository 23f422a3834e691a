// SearchParameters for the profile elements users search on. The server reads every SearchParameter under
// profiles/ at start-up (server/search/network-search-parameters.ts) and indexes it beside R4's; a code
// equal to an R4 one on the same type would replace it, so these codes are new.

RuleSet: NetworkSearchParameter(id, name, code)
* url = "https://fhir.dhc.example/SearchParameter/{id}"
* name = "{name}"
* code = #{code}
* status = #active
* version = "1.0.0"
* publisher = "DHC network (example)"
* date = "2026-11-23"

Instance: member-type
InstanceOf: SearchParameter
Usage: #definition
Title: "Organization member type"
* insert NetworkSearchParameter(member-type, MemberType, member-type)
* description = "The network organization type of a member (lead-internet-hospital, community-health-service-centre, tertiary-hospital, cloud-pharmacy...): `Organization?member-type=https://fhir.dhc.example/CodeSystem/organization-type|cloud-pharmacy`."
* base = #Organization
* type = #token
* expression = "Organization.type.coding.where(system = 'https://fhir.dhc.example/CodeSystem/organization-type')"

Instance: district
InstanceOf: SearchParameter
Usage: #definition
Title: "District"
* insert NetworkSearchParameter(district, District, district)
* description = "The district (区/县) of an organization's or a patient's address: `Organization?district=临江区`."
* base[0] = #Organization
* base[1] = #Patient
* type = #string
* expression = "Organization.address.district | Patient.address.district"

Instance: resident-id
InstanceOf: SearchParameter
Usage: #definition
Title: "Resident ID card number"
* insert NetworkSearchParameter(resident-id, ResidentId, resident-id)
* description = "The resident ID card number (urn:oid:2.16.156.10011.1.3) of a patient or a practitioner: `Patient?resident-id=990000198001010019`."
* base[0] = #Patient
* base[1] = #Practitioner
* type = #token
* expression = "Patient.identifier.where(system = 'urn:oid:2.16.156.10011.1.3') | Practitioner.identifier.where(system = 'urn:oid:2.16.156.10011.1.3')"
// One person, one record: a second Patient (or Practitioner) with the same resident ID is refused.
* extension[0].url = "https://fhir.dhc.example/StructureDefinition/unique-search-parameter"
* extension[0].valueBoolean = true

Instance: uscc
InstanceOf: SearchParameter
Usage: #definition
Title: "Unified social credit code"
* insert NetworkSearchParameter(uscc, Uscc, uscc)
* description = "The unified social credit code (统一社会信用代码, GB 32100) of an organization: `Organization?uscc=https://fhir.dhc.example/sid/uscc|12990101MB0000010X`. Unique: a second Organization with the same code is refused."
* base = #Organization
* type = #token
* expression = "Organization.identifier.where(system = 'https://fhir.dhc.example/sid/uscc')"
* extension[0].url = "https://fhir.dhc.example/StructureDefinition/unique-search-parameter"
* extension[0].valueBoolean = true

Instance: institution-code
InstanceOf: SearchParameter
Usage: #definition
Title: "Medical institution code"
* insert NetworkSearchParameter(institution-code, InstitutionCode, institution-code)
* description = "The medical institution code (医疗机构代码, urn:oid:2.16.156.10011.1.5) of an organization or site: `Organization?institution-code=urn:oid:2.16.156.10011.1.5|...`. Unique: a second Organization with the same code is refused."
* base = #Organization
* type = #token
* expression = "Organization.identifier.where(system = 'urn:oid:2.16.156.10011.1.5')"
* extension[0].url = "https://fhir.dhc.example/StructureDefinition/unique-search-parameter"
* extension[0].valueBoolean = true

Instance: recognition-mark
InstanceOf: SearchParameter
Usage: #definition
Title: "Mutual-recognition mark"
* insert NetworkSearchParameter(recognition-mark, RecognitionMark, recognition-mark)
* description = "The mutual-recognition mark of a laboratory result or report (HR): `Observation?recognition-mark=HR`."
* base[0] = #Observation
* base[1] = #DiagnosticReport
* type = #token
* expression = "Observation.extension.where(url = 'https://fhir.dhc.example/StructureDefinition/mutual-recognition').extension.where(url = 'mark').value | DiagnosticReport.extension.where(url = 'https://fhir.dhc.example/StructureDefinition/mutual-recognition').extension.where(url = 'mark').value"

Instance: recognition-scope
InstanceOf: SearchParameter
Usage: #definition
Title: "Mutual-recognition scope"
* insert NetworkSearchParameter(recognition-scope, RecognitionScope, recognition-scope)
* description = "The scope of the recognition mark (national, provincial, city, network): `Observation?recognition-scope=https://fhir.dhc.example/CodeSystem/recognition-scope|provincial`."
* base[0] = #Observation
* base[1] = #DiagnosticReport
* type = #token
* expression = "Observation.extension.where(url = 'https://fhir.dhc.example/StructureDefinition/mutual-recognition').extension.where(url = 'scope').value | DiagnosticReport.extension.where(url = 'https://fhir.dhc.example/StructureDefinition/mutual-recognition').extension.where(url = 'scope').value"

Instance: eqa-status
InstanceOf: SearchParameter
Usage: #definition
Title: "External quality assessment status"
* insert NetworkSearchParameter(eqa-status, EqaStatus, eqa-status)
* description = "The performing laboratory's external quality assessment status for the result or report: `Observation?eqa-status=failed`."
* base[0] = #Observation
* base[1] = #DiagnosticReport
* type = #token
* expression = "Observation.extension.where(url = 'https://fhir.dhc.example/StructureDefinition/eqa-status').value | DiagnosticReport.extension.where(url = 'https://fhir.dhc.example/StructureDefinition/eqa-status').value"

Instance: review-status
InstanceOf: SearchParameter
Usage: #definition
Title: "Prescription review status"
* insert NetworkSearchParameter(review-status, ReviewStatus, review-status)
* description = "The pharmacist review status of a cloud-pharmacy prescription (pending, software-prescreened, approved, rejected, returned-for-revision): `MedicationRequest?review-status=pending`."
* base = #MedicationRequest
* type = #token
* expression = "MedicationRequest.extension.where(url = 'https://fhir.dhc.example/StructureDefinition/prescription-review').extension.where(url = 'status').value"

Instance: long-prescription
InstanceOf: SearchParameter
Usage: #definition
Title: "Long prescription"
* insert NetworkSearchParameter(long-prescription, LongPrescription, long-prescription)
* description = "Whether a cloud-pharmacy prescription is a long prescription (true or false): `MedicationRequest?long-prescription=true`."
* base = #MedicationRequest
* type = #token
* expression = "MedicationRequest.extension.where(url = 'https://fhir.dhc.example/StructureDefinition/long-prescription').exists()"

Instance: home-care-service
InstanceOf: SearchParameter
Usage: #definition
Title: "Home-care service"
* insert NetworkSearchParameter(home-care-service, HomeCareService, home-care-service)
* description = "The home-care catalogue service of a request, or a service a nurse's role is authorized for (dispatch): `ServiceRequest?home-care-service=venous-blood-sampling`, `PractitionerRole?home-care-service=venous-blood-sampling`."
* base[0] = #ServiceRequest
* base[1] = #PractitionerRole
* type = #token
* expression = "ServiceRequest.code.coding.where(system = 'https://fhir.dhc.example/CodeSystem/home-care-service') | PractitionerRole.extension.where(url = 'https://fhir.dhc.example/StructureDefinition/authorized-home-care-service').value"
