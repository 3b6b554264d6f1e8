export { hostDoctorRoute as GET } from '@/server/api/endpoints/boot-doctor.ts';
