// Home care (云服务, "apply online, served at home"): the order for a service of the catalogue at the
// patient's home, and the Task that tracks its dispatch to a nurse and its fulfilment.

Profile: DhcHomeCareRequest
Parent: ServiceRequest
Id: dhc-home-care-request
Title: "Home-care request"
Description: "A request for a service of the network's home-care catalogue at the patient's home: the service code, the patient, who asked (the patient, a relative or a clinician), the home address, when, why, and the long-term-care insurance where it applies."
* obeys dhc-hc-1 and dhc-hc-2 and dhc-hc-3 and dhc-addr-1
* extension contains HomeAddress named homeAddress 1..1 MS
* extension[homeAddress] ^short = "The patient's home, where the service is performed"
* status MS
* intent MS
* code 1..1 MS
* code from $vs-home-care-services (required)
* subject 1..1 MS
* subject only Reference(DhcPatient)
* occurrence[x] 1..1 MS
* occurrence[x] only dateTime or Period
* authoredOn 1..1 MS
* requester 1..1 MS
* requester only Reference(DhcPatient or RelatedPerson or DhcPractitionerRole)
* locationCode 1..1 MS
* locationCode ^short = "PTRES, the patient's residence (dhc-hc-3); the address is in the home-address extension"
* reasonCode MS
* reasonReference MS
* insurance MS
* insurance ^short = "Long-term-care insurance, where the service is covered"

Profile: DhcHomeCareTask
Parent: Task
Id: dhc-home-care-task
Title: "Home-care dispatch task"
Description: "Tracks a home-care request from assessment to dispatch (accepted by the nearest contracted nurse, the owner) to the visit (in progress, completed) and its record."
* obeys dhc-task-1 and dhc-task-2 and dhc-task-3 and dhc-task-4
* status MS
* intent = #order (exactly)
* code 1..1 MS
* code = $task-code#fulfill
* focus 1..1 MS
* focus only Reference(DhcHomeCareRequest)
* basedOn MS
* for 1..1 MS
* for only Reference(DhcPatient)
* authoredOn 1..1 MS
* requester MS
* owner MS
* owner only Reference(DhcPractitionerRole)
* owner ^short = "The nurse the order is dispatched to"
* executionPeriod MS
* output MS
* output ^short = "The record of the visit (Encounter or Procedure)"

// ---- Dispatch: the nurse's service area, and the $dispatch operation (server/workflows/homecare) ----

Extension: ServiceRadius
Id: service-radius
Title: "Service radius of a home-care nurse"
Description: "The radius, in kilometres, of the area a home-care nurse serves around the position of her base Location (Location.position): $dispatch offers her only orders whose home lies within this great-circle distance."
Context: Location
* value[x] only Quantity
* valueQuantity 1..1
* valueQuantity.value 1..1
* valueQuantity.system = "http://unitsofmeasure.org"
* valueQuantity.code = #km

Instance: ServiceRequest-dispatch
InstanceOf: OperationDefinition
Usage: #definition
Title: "Dispatch a home-care request"
* url = "https://fhir.dhc.example/OperationDefinition/ServiceRequest-dispatch"
* name = "Dispatch"
* status = #active
* kind = #operation
* version = "1.0.0"
* publisher = "DHC network (example)"
* date = "2026-12-06"
* description = "Dispatches an assessed home-care request (ServiceRequest) to the nearest available home-care nurse whose authorized services cover the request's code and whose service area (her Location's position and service-radius) contains the patient's home (the geolocation of the request's home address): creates a home-visit Task owned by that nurse and returns it, the nurse, the distance, and the other candidates ranked by distance. The request must be active, with a completed eligibility-assessment Task deciding 'eligible', and without an open home-visit Task. No candidate: 422 with an OperationOutcome saying why."
* code = #dispatch
* resource = #ServiceRequest
* system = false
* type = false
* instance = true
* affectsState = true
* parameter[0].name = #return
* parameter[0].use = #out
* parameter[0].min = 1
* parameter[0].max = "1"
* parameter[0].documentation = "Parameters: task (Reference to the Task created), nurse (Reference to her PractitionerRole), distance (decimal, km), openVisits (integer: her open visits on the day the visit is wanted), and one 'alternative' per other candidate (parts nurse, distance, openVisits), nearest first."
* parameter[0].type = #Parameters
