from django import forms


class VerifyFileForm(forms.Form):
    file = forms.FileField(label="文书文件（PDF 或 Word）", error_messages={"required": "请选择要核验的文件"})


class VerifyCodeForm(forms.Form):
    code = forms.CharField(label="核验码", max_length=30, error_messages={"required": "请输入文书上印的核验码"},
                           widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "XXXX-XXXX-XXXX"}))
