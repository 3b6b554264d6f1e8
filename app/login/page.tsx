export default function Login() {
  return <main className="p-8">login</main>;
}
