export { fleetDoctorRoute as GET } from '@/server/api/endpoints/boot-doctor.ts';
